// PodsApi against client-node's generated CoreV1Api: for each call, the same request on the wire
// and the same result (or the same ApiException), from one scripted server.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  Observable,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { PodsApi } from '../../../../shared/adapters/kubernetes/pods-api.ts';

interface Seen {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
let seen: Seen[] = [];
let answer = { status: 200, type: 'application/json', body: '{}' };
let server: Server;
let kc: KubeConfig;

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(answer.status, { 'content-type': answer.type, 'retry-after': '3' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
});

after(() => {
  server.closeAllConnections();
  server.close();
});

/** Call-time middleware as KubeClient passes it (appended): it must run in both. */
const options: ConfigurationOptions = {
  middleware: [
    {
      pre: (context: RequestContext) => {
        context.setHeaderParam('x-call', 'yes');
        return new Observable(Promise.resolve(context));
      },
      post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
    },
  ],
  middlewareMergeStrategy: 'append',
};

/** Runs `call` on the generated API and on PodsApi; returns both outcomes and requests. */
async function both(call: (api: Pick<PodsApi, keyof PodsApi>) => Promise<unknown>) {
  const outcome = async (api: Pick<PodsApi, keyof PodsApi>) => {
    seen = [];
    const result = await call(api).then(
      (value) => ({ value }),
      (error: { code?: number; body?: unknown; headers?: unknown; message?: string }) => ({
        error: { code: error.code, body: error.body, headers: error.headers, message: error.message },
      }),
    );
    return { result, request: seen[0] };
  };
  const generated = await outcome(kc.makeApiClient(CoreV1Api) as unknown as PodsApi);
  const ours = await outcome(kc.makeApiClient(PodsApi));
  return { generated, ours };
}

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p-1', namespace: 'jobs', creationTimestamp: '2026-01-02T03:04:05Z', finalizers: ['a'] },
  status: { phase: 'Running', startTime: '2026-01-02T03:04:06Z' },
};

describe('PodsApi is the generated CoreV1Api for', () => {
  const cases: [string, typeof answer, (api: Pick<PodsApi, keyof PodsApi>) => Promise<unknown>][] = [
    [
      'listNamespacedPod',
      {
        status: 200,
        type: 'application/json',
        body: JSON.stringify({
          kind: 'PodList',
          metadata: { resourceVersion: '7', continue: 'n' },
          items: [pod],
        }),
      },
      (api) =>
        api.listNamespacedPod(
          { namespace: 'jobs', labelSelector: 'a in (x,y)', limit: 500, _continue: 'tok/en' },
          options,
        ),
    ],
    [
      'readNamespacedPod',
      { status: 200, type: 'application/json', body: JSON.stringify(pod) },
      (api) => api.readNamespacedPod({ namespace: 'jobs', name: 'p-1' }, options),
    ],
    [
      'patchNamespacedPod',
      { status: 200, type: 'application/json', body: JSON.stringify(pod) },
      (api) =>
        api.patchNamespacedPod(
          {
            namespace: 'jobs',
            name: 'p-1',
            body: [
              { op: 'test', path: '/metadata/finalizers/0', value: 'a' },
              { op: 'remove', path: '/metadata/finalizers/0' },
            ],
          },
          options,
        ),
    ],
    [
      'readNamespacedPodLog',
      { status: 200, type: 'text/plain', body: 'line 1\nline "2"\n' },
      (api) =>
        api.readNamespacedPodLog(
          { namespace: 'jobs', name: 'p-1', container: 'main', tailLines: 20, limitBytes: 4096 },
          options,
        ),
    ],
    [
      'a 404 Status',
      {
        status: 404,
        type: 'application/json',
        body: JSON.stringify({
          kind: 'Status',
          reason: 'NotFound',
          code: 404,
          message: 'pods "p-1" not found',
        }),
      },
      (api) => api.readNamespacedPod({ namespace: 'jobs', name: 'p-1' }, options),
    ],
    [
      'a 401',
      { status: 401, type: 'application/json', body: '{"kind":"Status","code":401}' },
      (api) => api.listNamespacedPod({ namespace: 'jobs' }),
    ],
    [
      'a 422 on a patch',
      { status: 422, type: 'application/json', body: '{"kind":"Status","reason":"Invalid","code":422}' },
      (api) => api.patchNamespacedPod({ namespace: 'jobs', name: 'p-1', body: [] }),
    ],
  ];
  for (const [name, response, call] of cases) {
    it(name, async () => {
      answer = response;
      const { generated, ours } = await both(call);
      assert.ok(generated.request, 'the generated API sent nothing');
      assert.deepEqual(ours.request, generated.request);
      assert.deepEqual(ours.result, generated.result);
    });
  }

  it('dates as Date objects, as the model serializer makes them', async () => {
    answer = { status: 200, type: 'application/json', body: JSON.stringify(pod) };
    const read = await kc.makeApiClient(PodsApi).readNamespacedPod({ namespace: 'jobs', name: 'p-1' });
    assert.ok(read.metadata?.creationTimestamp instanceof Date);
  });
});
