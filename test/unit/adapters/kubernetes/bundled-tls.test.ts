// The bundles replace undici with a fetch on node:https (shared/aliases/undici.ts).
// Here the adapters, bundled as the functions are and unbundled on the real undici, talk to an https
// server on 127.0.0.1 whose self-signed certificate openssl makes for the test: the cluster's CA
// (EKS certificateAuthority, or a kubeconfig's certificate-authority), a client certificate and
// insecure-skip-tls-verify are honoured, a wrong or missing CA is refused, and both fail alike.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { buildBundle } from '../../../../infra/build-bundle.ts';
import * as unbundled from './bundle-entry.ts';

type Adapters = typeof unbundled;

const dir = mkdtempSync(join(tmpdir(), 'bundled-tls-'));
const credentials = { accessKeyId: 'AKIAEXAMPLEKEY000001', secretAccessKey: 'secret' };
const eksEnv = { CLUSTER_ACCESS: 'eks', EKS_CLUSTER_NAME: 'jobs-prod', AWS_REGION: 'eu-west-1' };

/** A self-signed certificate (its own CA) for 127.0.0.1: { cert, key } as PEM. */
function selfSigned(name: string): { cert: string; key: string; certFile: string } {
  const [certFile, keyFile] = [join(dir, `${name}.crt`), join(dir, `${name}.key`)];
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' }); // biome-ignore format: one openssl command
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile };
}

const clusterCa = selfSigned('cluster');
const otherCa = selfSigned('other');
const client = selfSigned('runner');
const b64 = (pem: string) => Buffer.from(pem).toString('base64');

const job = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'j-1', namespace: 'jobs', creationTimestamp: '2026-01-02T03:04:05Z' },
};
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p-1', namespace: 'jobs' } };
const seen: { path: string; authorization?: string }[] = [];

/** The API server's answers for the calls the functions make. */
async function start(options: ServerOptions): Promise<{ server: Server; url: string }> {
  const server = createServer(options, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://x');
    seen.push({ path: url.pathname, authorization: req.headers.authorization });
    const json = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/apis/batch/v1/namespaces/jobs/jobs/j-1') return json(200, job);
    if (url.pathname === '/apis/batch/v1/namespaces/jobs/jobs/slow') return; // never answers
    if (url.pathname === '/apis/batch/v1/namespaces/jobs/jobs/cut') {
      // The server dies mid-answer: headers and half a body, then the connection drops.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"kind":"Job","metadata":');
      return setTimeout(() => res.socket?.destroy(), 20);
    }
    if (url.pathname === '/api/v1/namespaces/jobs/pods/p-1/log') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('done\n');
    }
    if (url.pathname === '/api/v1/namespaces/jobs/pods' && url.searchParams.get('watch') === 'true') {
      // One event, then the stream stays open until the client leaves at its deadline.
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.write(
        `${JSON.stringify({ type: 'ADDED', object: { ...pod, metadata: { ...pod.metadata, resourceVersion: '8' } } })}\n`,
      );
    }
    if (url.pathname === '/api/v1/namespaces/jobs/pods') {
      return json(200, { kind: 'PodList', metadata: { resourceVersion: '7' }, items: [pod] });
    }
    json(404, { kind: 'Status', reason: 'NotFound', code: 404, message: `${url.pathname} not found` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let api: Awaited<ReturnType<typeof start>>;
let mtls: Awaited<ReturnType<typeof start>>;
let bundled: Adapters;

before(async () => {
  api = await start({ cert: clusterCa.cert, key: clusterCa.key });
  mtls = await start({
    cert: clusterCa.cert,
    key: clusterCa.key,
    ca: client.cert,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const outfile = join(dir, 'bundle', 'index.mjs');
  const metafile = await buildBundle(join(import.meta.dirname, 'bundle-entry.ts'), outfile, 'silent');
  const inputs = Object.keys(metafile.inputs);
  assert.ok(!inputs.some((file) => file.includes('node_modules/undici/')), 'undici is in the bundle');
  assert.ok(
    inputs.some((file) => file.endsWith('aliases/undici.ts')),
    'the undici alias is not in the bundle',
  );
  bundled = (await import(pathToFileURL(outfile).href)) as Adapters;
});

after(() => {
  for (const { server } of [api, mtls]) {
    server.closeAllConnections();
    server.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A kubeconfig file for `server`, with `cluster` and `user` entries as kubectl writes them. */
function kubeconfig(server: string, cluster: string, user = 'token: runner-token'): string {
  const file = join(dir, `kubeconfig-${seen.length}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "${server}", ${cluster} } }]
users: [{ name: u, user: { ${user} } }]
contexts: [{ name: c, context: { cluster: c, user: u } }]
current-context: c
`,
  );
  return file;
}

const eks = (adapters: Adapters, ca: string) =>
  adapters.createKubeConfig(eksEnv, {
    describe: async () => ({ endpoint: api.url, certificateAuthorityData: b64(ca) }),
    credentials,
  });
const fileConfig = (adapters: Adapters, file: string) => adapters.createKubeConfig({ KUBECONFIG: file });
const clientOf = (
  adapters: Adapters,
  kc: Awaited<ReturnType<Adapters['createKubeConfig']>>,
  requestTimeoutMs = 2000,
) =>
  new adapters.KubeWatchClient(kc, {
    requestTimeoutMs,
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  });

/** The failure of a call that must fail, as the functions see it. */
async function failure(call: Promise<unknown>) {
  const error = (await call.then(
    () => assert.fail('the call succeeded'),
    (e: unknown) => e,
  )) as { kind?: string; failure?: object };
  return { kind: error.kind, failure: error.failure };
}

for (const [label, adapters] of [
  ['bundled', () => bundled],
  ['unbundled (undici)', () => unbundled],
] as const) {
  describe(`Kubernetes adapters ${label} over TLS`, () => {
    it("trust the EKS cluster's certificateAuthority and send the EKS token", async () => {
      const kube = clientOf(adapters(), await eks(adapters(), clusterCa.cert));
      const read = await kube.readJob('jobs', 'j-1');
      assert.equal(read?.metadata?.name, 'j-1');
      assert.ok(read?.metadata?.creationTimestamp instanceof Date);
      assert.match(seen.at(-1)?.authorization ?? '', /^Bearer k8s-aws-v1\./);
    });

    it("trust a kubeconfig's certificate-authority file, and read lists, logs and watches", async () => {
      const file = kubeconfig(api.url, `certificate-authority: "${clusterCa.certFile}"`);
      const kube = clientOf(adapters(), await fileConfig(adapters(), file));
      assert.equal((await kube.readJob('jobs', 'j-1'))?.metadata?.name, 'j-1');
      assert.equal(seen.at(-1)?.authorization, 'Bearer runner-token');
      assert.equal(await kube.readJob('jobs', 'missing'), undefined);
      assert.deepEqual(
        (await kube.listPods('jobs', ['j-1'])).map((p) => p.metadata?.name),
        ['p-1'],
      );
      assert.deepEqual(await kube.readLogTail('jobs', 'p-1', undefined, 10, 1024), { tail: 'done\n' });
      const events: string[] = [];
      const end = await kube.watch(
        'pods',
        'jobs',
        { resourceVersion: '7', labelSelector: 'x', deadline: Date.now() + 700 },
        (type, object) => events.push(`${type} ${object.metadata?.name}`),
      );
      assert.deepEqual(events, ['ADDED p-1']);
      assert.deepEqual(end, { resourceVersion: '8', expired: false });
    });

    it('present a client certificate from the kubeconfig', async () => {
      const file = kubeconfig(
        mtls.url,
        `certificate-authority-data: ${b64(clusterCa.cert)}`,
        `client-certificate-data: ${b64(client.cert)}, client-key-data: ${b64(client.key)}`,
      );
      const kube = clientOf(adapters(), await fileConfig(adapters(), file));
      assert.equal((await kube.readJob('jobs', 'j-1'))?.metadata?.name, 'j-1');
    });

    it('skip verification only when insecure-skip-tls-verify says so', async () => {
      const file = kubeconfig(api.url, 'insecure-skip-tls-verify: true');
      const kube = clientOf(adapters(), await fileConfig(adapters(), file));
      assert.equal((await kube.readJob('jobs', 'j-1'))?.metadata?.name, 'j-1');
    });

    it('refuse a server whose certificate another CA, or no CA, vouches for', async () => {
      const before = seen.length;
      const wrong = clientOf(adapters(), await eks(adapters(), otherCa.cert));
      const wrongCa = await failure(wrong.readJob('jobs', 'j-1'));
      assert.equal(wrongCa.kind, 'transient');
      assert.match(
        JSON.stringify(wrongCa.failure),
        /fetch failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED)/,
      );
      const none = clientOf(adapters(), await fileConfig(adapters(), kubeconfig(api.url, 'x: 1')));
      assert.deepEqual(await failure(none.readJob('jobs', 'j-1')), wrongCa);
      assert.equal(seen.length, before, 'a request reached the server');
    });

    it('take a connection cut mid-answer for a transient failure', async () => {
      const kube = clientOf(adapters(), await eks(adapters(), clusterCa.cert));
      assert.equal((await failure(kube.readJob('jobs', 'cut'))).kind, 'transient');
    });

    it('end a call that gets no answer at its timeout', async () => {
      const slow = clientOf(adapters(), await eks(adapters(), clusterCa.cert), 200);
      assert.deepEqual(await failure(slow.readJob('jobs', 'slow')), {
        kind: 'transient',
        failure: { message: 'The operation was aborted due to timeout (TimeoutError)' },
      });
    });
  });
}
