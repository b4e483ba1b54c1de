// The EKS token checked against the rules the EKS authenticator (aws-iam-authenticator's
// token verifier) enforces, and its SigV4 signature recomputed independently with
// node:crypto, as STS would.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  CLUSTER_ID_HEADER,
  createEksTokenSource,
  describeCluster,
  EKS_TOKEN_PREFIX,
  presignEksToken,
  stsHostname,
  TOKEN_RENEW_AFTER_MS,
  TOKEN_VALIDITY_MS,
} from '../../../../shared/adapters/kubernetes/eks-auth.ts';

const credentials = {
  accessKeyId: 'AKIAEXAMPLEKEY000001',
  secretAccessKey: 'example/secret+key/with=specials0000000',
  sessionToken: 'session/token+with=specials',
};
const clusterName = 'jobs-prod';
const region = 'eu-west-1';
const signingDate = new Date('2025-03-04T05:06:07Z');

const ALLOWED_PARAMS = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);
const STS_HOST = /^sts(\.[a-z1-9-]+)?\.amazonaws\.com(\.cn)?$/;

/** The authenticator's format checks; returns the presigned URL when they pass. */
function verifyTokenFormat(token: string, now: Date): URL {
  assert.ok(token.length <= 4096, 'token longer than the 4 KiB the authenticator accepts');
  assert.ok(token.startsWith(EKS_TOKEN_PREFIX), 'missing k8s-aws-v1. prefix');
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  assert.match(encoded, /^[A-Za-z0-9_-]+$/, 'not unpadded base64url');
  const url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  assert.equal(url.protocol, 'https:');
  assert.match(url.host, STS_HOST);
  assert.equal(url.pathname, '/');
  const keys = [...url.searchParams.keys()];
  for (const key of keys) assert.ok(ALLOWED_PARAMS.has(key.toLowerCase()), `parameter ${key} not allowed`);
  assert.equal(new Set(keys.map((key) => key.toLowerCase())).size, keys.length, 'a parameter repeats');
  assert.equal(url.searchParams.get('Action'), 'GetCallerIdentity');
  const signedHeaders = (url.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';');
  assert.ok(signedHeaders.includes(CLUSTER_ID_HEADER), 'x-k8s-aws-id is not signed');
  assert.ok(signedHeaders.includes('host'), 'host is not signed');
  const expires = Number(url.searchParams.get('X-Amz-Expires'));
  assert.ok(Number.isInteger(expires) && expires >= 0 && expires <= 900, `X-Amz-Expires ${expires}`);
  const issued = parseAmzDate(url.searchParams.get('X-Amz-Date') ?? '');
  assert.ok(now.getTime() <= issued.getTime() + TOKEN_VALIDITY_MS, 'X-Amz-Date is expired');
  return url;
}

function parseAmzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  assert.ok(m, `X-Amz-Date ${value} is not yyyyMMddTHHmmssZ`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/** SigV4 query-string signing, written from the specification, to check the signer's output. */
function expectedSignature(url: URL, headers: Record<string, string>, secret: string): string {
  const rfc3986 = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = [...url.searchParams]
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`)
    .sort()
    .join('&');
  const signed = (url.searchParams.get('X-Amz-SignedHeaders') ?? '').split(';');
  const canonicalHeaders = signed.map((name) => `${name}:${headers[name]?.trim()}\n`).join('');
  const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
  const canonicalRequest = ['GET', '/', query, canonicalHeaders, signed.join(';'), sha256('')].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date') ?? '';
  const [, ...scopeParts] = (url.searchParams.get('X-Amz-Credential') ?? '').split('/');
  const scope = scopeParts.join('/');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  let key: Buffer = hmac(`AWS4${secret}`, scopeParts[0] ?? '');
  for (const part of scopeParts.slice(1)) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

function decode(token: string): URL {
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}

describe('presignEksToken', () => {
  test('passes every format rule of the EKS authenticator', async () => {
    const token = await presignEksToken({ clusterName, region, credentials, signingDate });
    const url = verifyTokenFormat(token, signingDate);
    assert.equal(url.host, 'sts.eu-west-1.amazonaws.com');
    assert.equal(url.searchParams.get('Version'), '2011-06-15');
    assert.equal(url.searchParams.get('X-Amz-Expires'), '60');
    assert.equal(url.searchParams.get('X-Amz-Date'), '20250304T050607Z');
    assert.equal(url.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), credentials.sessionToken);
    assert.equal(
      url.searchParams.get('X-Amz-Credential'),
      `${credentials.accessKeyId}/20250304/eu-west-1/sts/aws4_request`,
    );
  });

  test('carries a SigV4 signature that binds the host and the cluster name', async () => {
    const token = await presignEksToken({ clusterName, region, credentials, signingDate });
    const url = decode(token);
    const headers = { host: url.host, [CLUSTER_ID_HEADER]: clusterName };
    assert.equal(
      url.searchParams.get('X-Amz-Signature'),
      expectedSignature(url, headers, credentials.secretAccessKey),
    );
    const otherCluster = { ...headers, [CLUSTER_ID_HEADER]: 'another-cluster' };
    assert.notEqual(
      url.searchParams.get('X-Amz-Signature'),
      expectedSignature(url, otherCluster, credentials.secretAccessKey),
    );
  });

  test('is deterministic: re-signing the same inputs gives the same token', async () => {
    const first = await presignEksToken({ clusterName, region, credentials, signingDate });
    const again = await presignEksToken({ clusterName, region, credentials, signingDate });
    const later = await presignEksToken({
      clusterName,
      region,
      credentials,
      signingDate: new Date(signingDate.getTime() + 1000),
    });
    assert.equal(again, first);
    assert.notEqual(later, first);
  });

  test('accepts a credential provider as the SDK hands it out', async () => {
    const token = await presignEksToken({
      clusterName,
      region,
      credentials: async () => credentials,
      signingDate,
    });
    assert.equal(token, await presignEksToken({ clusterName, region, credentials, signingDate }));
  });

  test('signs for the regional STS host, in the China partition too', async () => {
    assert.equal(stsHostname('us-east-1'), 'sts.us-east-1.amazonaws.com');
    assert.equal(stsHostname('cn-north-1'), 'sts.cn-north-1.amazonaws.com.cn');
    const token = await presignEksToken({ clusterName, region: 'cn-north-1', credentials, signingDate });
    assert.equal(verifyTokenFormat(token, signingDate).host, 'sts.cn-north-1.amazonaws.com.cn');
  });
});

describe('createEksTokenSource', () => {
  function clockAt(start: Date) {
    let now = start.getTime();
    return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
  }

  test('hands out the cached token until it is due for renewal', async () => {
    const clock = clockAt(signingDate);
    const source = createEksTokenSource({ clusterName, region, credentials, now: clock.now });
    const first = await source.token();
    clock.advance(TOKEN_RENEW_AFTER_MS - 1000);
    assert.equal(await source.token(), first);
    clock.advance(1000);
    const renewed = await source.token();
    assert.notEqual(renewed, first);
    assert.equal(decode(renewed).searchParams.get('X-Amz-Date'), '20250304T051607Z');
  });

  test('never hands out a token 14 minutes old, and every one it hands out is still valid', async () => {
    assert.ok(TOKEN_RENEW_AFTER_MS < 14 * 60_000);
    const clock = clockAt(signingDate);
    const source = createEksTokenSource({ clusterName, region, credentials, now: clock.now });
    for (let second = 0; second <= 3600; second += 30) {
      const url = verifyTokenFormat(await source.token(), clock.now());
      const age = clock.now().getTime() - parseAmzDate(url.searchParams.get('X-Amz-Date') ?? '').getTime();
      assert.ok(age < 14 * 60_000, `token ${age / 1000}s old at t=${second}s`);
      clock.advance(30_000);
    }
  });
});

describe('describeCluster', () => {
  const connection = { endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', data: 'Q0EtREFUQQ==' };
  function stubEks(responses: Array<() => unknown>) {
    const calls: unknown[] = [];
    return {
      calls,
      send: (async (command: { input: unknown }) => {
        calls.push(command.input);
        const next = responses.shift();
        if (!next) throw new Error('unexpected DescribeCluster');
        return next();
      }) as never,
    };
  }

  test('calls DescribeCluster once per cluster and container', async () => {
    const eks = stubEks([
      () => ({ cluster: { endpoint: connection.endpoint, certificateAuthority: { data: connection.data } } }),
    ]);
    const first = await describeCluster(eks, 'cached-cluster');
    const second = await describeCluster(eks, 'cached-cluster');
    assert.deepEqual(first, { endpoint: connection.endpoint, certificateAuthorityData: connection.data });
    assert.equal(second, first);
    assert.deepEqual(eks.calls, [{ name: 'cached-cluster' }]);
  });

  test('does not cache a failure', async () => {
    const eks = stubEks([
      () => {
        throw new Error('throttled');
      },
      () => ({ cluster: { endpoint: connection.endpoint, certificateAuthority: { data: connection.data } } }),
    ]);
    await assert.rejects(describeCluster(eks, 'flaky-cluster'), /throttled/);
    assert.equal((await describeCluster(eks, 'flaky-cluster')).endpoint, connection.endpoint);
    assert.equal(eks.calls.length, 2);
  });

  test('rejects a cluster that has no endpoint yet', async () => {
    const eks = stubEks([() => ({ cluster: { status: 'CREATING' } })]);
    await assert.rejects(
      describeCluster(eks, 'creating-cluster'),
      /no endpoint or CA yet \(status CREATING\)/,
    );
  });
});
