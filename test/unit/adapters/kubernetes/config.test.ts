import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { clusterAccess, createKubeConfig } from '../../../../shared/adapters/kubernetes/config.ts';
import { EKS_TOKEN_PREFIX, TOKEN_RENEW_AFTER_MS } from '../../../../shared/adapters/kubernetes/eks-auth.ts';

const credentials = { accessKeyId: 'AKIAEXAMPLEKEY000001', secretAccessKey: 'secret', sessionToken: 'token' };
const eksEnv = { CLUSTER_ACCESS: 'eks', EKS_CLUSTER_NAME: 'jobs-prod', AWS_REGION: 'eu-west-1' };
const connection = {
  endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  certificateAuthorityData: 'Q0E=',
};

function kubeconfigFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kube-config-test-')), 'config');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{ name: local, cluster: { server: "https://127.0.0.1:26443", insecure-skip-tls-verify: true } }]
users: [{ name: runner, user: { token: runner-token } }]
contexts: [{ name: local, context: { cluster: local, user: runner } }]
current-context: local
`,
  );
  return file;
}

async function authorization(kc: Awaited<ReturnType<typeof createKubeConfig>>): Promise<string | undefined> {
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return (opts.headers as Record<string, string> | undefined)?.Authorization;
}

describe('clusterAccess', () => {
  test('defaults to kubeconfig and accepts eks', () => {
    assert.equal(clusterAccess({}), 'kubeconfig');
    assert.equal(clusterAccess({ CLUSTER_ACCESS: 'eks' }), 'eks');
  });

  test('refuses any other mode', () => {
    assert.throws(
      () => clusterAccess({ CLUSTER_ACCESS: 'iam' }),
      /CLUSTER_ACCESS must be one of eks, kubeconfig/,
    );
  });
});

describe('createKubeConfig with CLUSTER_ACCESS=kubeconfig', () => {
  test('loads the file that KUBECONFIG names', async () => {
    const kc = await createKubeConfig({ KUBECONFIG: kubeconfigFile() });
    assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:26443');
    assert.equal(await authorization(kc), 'Bearer runner-token');
  });
});

describe('createKubeConfig with CLUSTER_ACCESS=eks', () => {
  function eksConfig(now: () => Date = () => new Date('2025-03-04T05:06:07Z')) {
    const described: string[] = [];
    const describe = async (name: string) => {
      described.push(name);
      return connection;
    };
    return { described, kc: createKubeConfig(eksEnv, { describe, credentials, now }) };
  }

  test('points at the endpoint and CA that DescribeCluster returned', async () => {
    const { described, kc } = eksConfig();
    const cluster = (await kc).getCurrentCluster();
    assert.deepEqual(described, ['jobs-prod']);
    assert.equal(cluster?.server, connection.endpoint);
    assert.equal(cluster?.caData, connection.certificateAuthorityData);
    assert.equal(cluster?.skipTLSVerify, false);
  });

  test('authenticates API calls and watches with an EKS bearer token', async () => {
    const kc = await eksConfig().kc;
    const header = await authorization(kc);
    assert.ok(header?.startsWith(`Bearer ${EKS_TOKEN_PREFIX}`), header);
    // Generated API clients and Watch authenticate through applySecurityAuthentication.
    const context = new RequestContext(`${connection.endpoint}/api/v1/namespaces`, HttpMethod.GET);
    await kc.applySecurityAuthentication(context);
    assert.equal(context.getHeaders().Authorization, header);
  });

  test('renews the token as the clock passes the renewal age', async () => {
    let now = Date.parse('2025-03-04T05:06:07Z');
    const kc = await eksConfig(() => new Date(now)).kc;
    const first = await authorization(kc);
    now += TOKEN_RENEW_AFTER_MS - 1;
    assert.equal(await authorization(kc), first);
    now += 1;
    assert.notEqual(await authorization(kc), first);
  });

  test('needs the cluster name and the region', async () => {
    await assert.rejects(
      createKubeConfig({ CLUSTER_ACCESS: 'eks', AWS_REGION: 'eu-west-1' }, { credentials }),
      /needs EKS_CLUSTER_NAME/,
    );
    await assert.rejects(
      createKubeConfig({ CLUSTER_ACCESS: 'eks', EKS_CLUSTER_NAME: 'jobs-prod' }, { credentials }),
      /needs AWS_REGION/,
    );
  });
});
