// KubeApi against client-node's generated BatchV1Api and CoreV1Api: for each call, the same
// request on the wire and the same result (or the same ApiException), from one scripted server.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  BatchV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  KubeConfig,
  Observable,
  type RequestContext,
  type ResponseContext,
  type V1Job,
} from '@kubernetes/client-node';
import { KubeApi } from '../../../../shared/adapters/kubernetes/kube-api.ts';

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
      // No Date header: the two calls compared may straddle a second.
      res.sendDate = false;
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

type Call = (api: KubeApi) => Promise<unknown>;

/** The generated APIs behind KubeApi's method names. */
function generatedApi(): KubeApi {
  const apis = [kc.makeApiClient(BatchV1Api), kc.makeApiClient(CoreV1Api)] as unknown as Record<
    string,
    (...args: unknown[]) => unknown
  >[];
  return new Proxy({} as KubeApi, {
    get: (_, name: string) => {
      const api = apis.find((candidate) => typeof candidate[name] === 'function');
      assert.ok(api, `no generated ${name}`);
      return (api[name] as (...args: unknown[]) => unknown).bind(api);
    },
  });
}

/** Runs `call` on the generated APIs and on KubeApi; returns both outcomes and requests. */
async function both(call: Call) {
  const outcome = async (api: KubeApi) => {
    seen = [];
    const result = await call(api).then(
      (value) => ({ value }),
      (error: { code?: number; body?: unknown; headers?: unknown; message?: string }) => ({
        error: { code: error.code, body: error.body, headers: error.headers, message: error.message },
      }),
    );
    return { result, request: seen[0] };
  };
  const generated = await outcome(generatedApi());
  const ours = await outcome(kc.makeApiClient(KubeApi));
  return { generated, ours };
}

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p-1', namespace: 'jobs', creationTimestamp: '2026-01-02T03:04:05Z', finalizers: ['a'] },
  status: { phase: 'Running', startTime: '2026-01-02T03:04:06Z' },
};

const job = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'j-1', namespace: 'jobs', creationTimestamp: '2026-01-02T03:04:05Z', labels: { a: 'b' } },
  spec: { template: { spec: { containers: [{ name: 'main', image: 'busybox' }] } } },
  status: { startTime: '2026-01-02T03:04:06Z', active: 1 },
};
/** A Job with a Date and a field no model knows: the serializer writes the one and drops the other. */
const jobBody = {
  ...job,
  metadata: { ...job.metadata, creationTimestamp: new Date(0) },
  status: undefined,
  unknownField: 1,
} as unknown as V1Job;
const created = (status: number) => ({ status, type: 'application/json', body: JSON.stringify(job) });

describe('KubeApi is the generated API for', () => {
  const cases: [string, typeof answer, Call][] = [
    [
      'createNamespacedJobWithHttpInfo',
      created(201),
      (api) =>
        api
          .createNamespacedJobWithHttpInfo({ namespace: 'jobs', body: jobBody }, options)
          .then(({ data, headers }) => ({ data, headers })),
    ],
    [
      'readNamespacedJob',
      created(200),
      (api) => api.readNamespacedJob({ namespace: 'jobs', name: 'j-1' }, options),
    ],
    [
      'deleteNamespacedJob',
      { status: 200, type: 'application/json', body: '{"kind":"Status","status":"Success"}' },
      (api) =>
        api.deleteNamespacedJob({ namespace: 'jobs', name: 'j-1', propagationPolicy: 'Foreground' }, options),
    ],
    [
      'patchNamespacedJob',
      created(200),
      (api) =>
        api.patchNamespacedJob(
          { namespace: 'jobs', name: 'j-1', body: [{ op: 'remove', path: '/metadata/finalizers/0' }] },
          options,
        ),
    ],
    [
      'listNamespacedJob',
      {
        status: 200,
        type: 'application/json',
        body: JSON.stringify({ kind: 'JobList', metadata: { resourceVersion: '9' }, items: [job] }),
      },
      (api) =>
        api.listNamespacedJob({ namespace: 'jobs', labelSelector: 'x=y', limit: 1, _continue: 'c' }, options),
    ],
    [
      'a 409 on a create',
      {
        status: 409,
        type: 'application/json',
        body: '{"kind":"Status","reason":"AlreadyExists","code":409}',
      },
      (api) => api.createNamespacedJobWithHttpInfo({ namespace: 'jobs', body: jobBody }, options),
    ],
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
    const read = await kc.makeApiClient(KubeApi).readNamespacedPod({ namespace: 'jobs', name: 'p-1' });
    assert.ok(read.metadata?.creationTimestamp instanceof Date);
  });
});
