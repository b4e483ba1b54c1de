import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig, type V1Job, type V1ObjectMeta } from '@kubernetes/client-node';
import { KubeClient } from '../../../../shared/adapters/kubernetes/client.ts';
import { inSelectors } from '../../../../shared/adapters/kubernetes/selectors.ts';
import { KubeWatchClient } from '../../../../shared/adapters/kubernetes/watch-client.ts';
import { ANNOTATIONS, FINALIZER } from '../../../../shared/core/job/labels.ts';

/** A stand-in for the API server's Job LIST and WATCH, scripted per test. */
let handler: (req: IncomingMessage, url: URL, res: ServerResponse) => void = () => {};
let server: Server;
let kc: KubeConfig;

before(async () => {
  server = createServer((req, res) => handler(req, new URL(req.url ?? '/', 'http://x'), res));
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

const jobList = (names: string[], rv: string, cont?: string) =>
  JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'JobList',
    metadata: { resourceVersion: rv, continue: cont },
    items: names.map((name) => ({ metadata: { name, namespace: 'jobs' } })),
  });

describe('KubeWatchClient.listJobs', () => {
  it('follows continue tokens with limit 500 and relists on 410 Gone', async () => {
    const seen: string[] = [];
    let expiredOnce = false;
    handler = (_req, url, res) => {
      seen.push(`${url.searchParams.get('limit')}:${url.searchParams.get('continue') ?? ''}`);
      const token = url.searchParams.get('continue');
      res.setHeader('content-type', 'application/json');
      if (!token) return res.end(jobList(['a', 'b'], '10', 'page2'));
      if (!expiredOnce) {
        expiredOnce = true;
        res.statusCode = 410;
        return res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 }));
      }
      return res.end(jobList(['c'], '20'));
    };
    const source = new KubeWatchClient(kc);
    const pages = [];
    for await (const page of source.listJobs('jobs', 'x=y')) pages.push(page);
    assert.deepEqual(seen, ['500:', '500:page2', '500:', '500:page2']);
    assert.deepEqual(
      pages.map((p) => p.items.map((j) => j.metadata?.name)),
      [['a', 'b'], ['a', 'b'], ['c']],
    );
    assert.equal(pages.at(-1)?.resourceVersion, '20');
    assert.equal(source.counters.relists, 1);
    assert.equal(source.counters.listJobs, 4);
  });
});

describe('KubeWatchClient.watch', () => {
  it('delivers events from the resourceVersion and reports 410 as expired', async () => {
    const rvs: string[] = [];
    handler = (_req, url, res) => {
      rvs.push(url.searchParams.get('resourceVersion') ?? '');
      res.setHeader('content-type', 'application/json');
      res.write(
        `${JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '11' } } })}\n`,
      );
      res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '12' } } })}\n`);
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } })}\n`,
      );
    };
    const source = new KubeWatchClient(kc);
    const events: string[] = [];
    const end = await source.watch(
      'jobs',
      'jobs',
      { resourceVersion: '10', labelSelector: 'x=y', deadline: Date.now() + 5000 },
      (type, obj) => events.push(`${type}:${obj.metadata?.name}`),
    );
    assert.deepEqual(events, ['MODIFIED:a']);
    assert.deepEqual(end, { resourceVersion: '12', expired: true });
    assert.deepEqual(rvs, ['10']);
  });

  it('resumes from the last resourceVersion when the server closes the stream, until the deadline', async () => {
    const rvs: string[] = [];
    handler = (_req, url, res) => {
      rvs.push(url.searchParams.get('resourceVersion') ?? '');
      res.setHeader('content-type', 'application/json');
      const next = String(Number(url.searchParams.get('resourceVersion')) + 1);
      res.end(
        `${JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: next } } })}\n`,
      );
    };
    const source = new KubeWatchClient(kc);
    let count = 0;
    const end = await source.watch(
      'jobs',
      'jobs',
      { resourceVersion: '1', labelSelector: '', deadline: Date.now() + 1000 },
      () => {
        count++;
      },
    );
    assert.ok(count >= 2);
    assert.equal(rvs[1], '2');
    assert.equal(end.expired, false);
    assert.equal(end.resourceVersion, String(count + 1));
  });
});

describe('inSelectors', () => {
  it('splits long name lists into bounded `in` selectors', () => {
    const names = Array.from({ length: 300 }, (_, i) => `job-${String(i).padStart(40, '0')}`);
    const selectors = inSelectors('batch.kubernetes.io/job-name', names, 4000);
    assert.ok(selectors.length > 1);
    for (const s of selectors) assert.ok(s.length < 4100);
    const back = selectors.flatMap((s) => s.slice(s.indexOf('(') + 1, -1).split(','));
    assert.equal(new Set(back).size, 300);
  });
});

describe('KubeClient calls: one timeout, one retry', () => {
  const jobBody = { metadata: { name: 'j', namespace: 'jobs' } };
  const status = (code: number, reason: string) =>
    JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message: reason });

  it('retries a transient create, honouring Retry-After, and returns the warnings', async () => {
    let calls = 0;
    handler = (_req, _url, res) => {
      calls++;
      res.setHeader('content-type', 'application/json');
      if (calls === 1) {
        res.writeHead(429, { 'retry-after': '1' });
        return res.end(status(429, 'TooManyRequests'));
      }
      res.writeHead(201, { warning: '299 - "would violate PodSecurity \\"restricted\\""' });
      return res.end(JSON.stringify(jobBody));
    };
    const slept: number[] = [];
    const client = new KubeClient(kc, { sleep: async (ms) => void slept.push(ms) });
    const { warnings } = await client.createJob(jobBody);
    assert.equal(calls, 2);
    assert.ok((slept[0] ?? 0) >= 1000, `waited ${slept[0]} ms for Retry-After: 1`);
    assert.deepEqual(warnings, ['would violate PodSecurity "restricted"']);
  });

  it('a request with no answer times out, is retried, and fails as a transient KubeError', async () => {
    let calls = 0;
    handler = () => {
      calls++; // never answers
    };
    const client = new KubeClient(kc, { requestTimeoutMs: 100, sleep: async () => {} });
    const started = Date.now();
    await assert.rejects(
      client.readJob('jobs', 'j'),
      (error: { name?: string; kind?: string }) => error.name === 'KubeError' && error.kind === 'transient',
    );
    assert.equal(calls, 4, 'the bounded attempts');
    assert.ok(Date.now() - started < 2000);
  });

  it("a call's deadline bounds its request below the request timeout, and stops the retries", async () => {
    let calls = 0;
    handler = () => {
      calls++;
    };
    const client = new KubeClient(kc, { requestTimeoutMs: 10_000 });
    const started = Date.now();
    await assert.rejects(client.deleteJob('jobs', 'j', { deadline: Date.now() + 300 }));
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
    assert.equal(calls, 1);
  });

  it('retries a LIST page that failed with 503', async () => {
    let calls = 0;
    handler = (_req, _url, res) => {
      calls++;
      res.setHeader('content-type', 'application/json');
      if (calls === 1) {
        res.statusCode = 503;
        return res.end(status(503, 'ServiceUnavailable'));
      }
      return res.end(jobList(['a'], '5'));
    };
    const client = new KubeWatchClient(kc, { sleep: async () => {} });
    const pages = [];
    for await (const page of client.listJobs('jobs', 'x=y')) pages.push(page);
    assert.equal(calls, 2);
    assert.deepEqual(
      pages[0]?.items.map((j) => j.metadata?.name),
      ['a'],
    );
  });

  it('a watch whose connection keeps dropping goes on while events arrive in between', async () => {
    let requests = 0;
    handler = (_req, url, res) => {
      requests++;
      const next = String(Number(url.searchParams.get('resourceVersion')) + 1);
      res.setHeader('content-type', 'application/json');
      res.write(
        `${JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: next } } })}\n`,
      );
      setTimeout(() => res.destroy(), 10);
    };
    const client = new KubeWatchClient(kc);
    let events = 0;
    const end = await client.watch(
      'jobs',
      'jobs',
      { resourceVersion: '1', labelSelector: '', deadline: Date.now() + 2500 },
      () => {
        events++;
      },
    );
    assert.ok(requests > 6, `${requests} requests: more drops than the budget of 5 in a row`);
    assert.equal(end.expired, false);
    assert.ok(events >= requests - 1);
  });
});

describe('KubeClient.releaseJob: our finalizer out, the settled mark in, one JSON patch', () => {
  /** The requests the stand-in saw: method, path, content type and parsed body. */
  function recording(answer: (req: IncomingMessage, calls: number) => { code: number; body: object }) {
    const seen: { method?: string; path: string; type?: string; body?: unknown }[] = [];
    handler = (req, url, res) => {
      let text = '';
      req.on('data', (chunk) => {
        text += chunk;
      });
      req.on('end', () => {
        seen.push({
          method: req.method,
          path: url.pathname,
          type: req.headers['content-type'],
          body: text ? JSON.parse(text) : undefined,
        });
        const { code, body } = answer(req, seen.length);
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    };
    return seen;
  }
  const heldJob = (metadata: V1ObjectMeta = {}): V1Job => ({
    metadata: { name: 'j', namespace: 'jobs', finalizers: ['other.io/x', FINALIZER], ...metadata },
  });
  const conflict = {
    kind: 'Status',
    status: 'Failure',
    code: 422,
    reason: 'Invalid',
    message: 'test failed',
  };

  it('sets the annotation by its escaped key beside the existing ones', async () => {
    const seen = recording(() => ({ code: 200, body: heldJob() }));
    const job = heldJob({ annotations: { [ANNOTATIONS.jobId]: 'id-j' }, resourceVersion: '7' });
    assert.equal(await new KubeClient(kc).releaseJob(job, 'SUCCEEDED'), 'released');
    assert.deepEqual(seen, [
      {
        method: 'PATCH',
        path: '/apis/batch/v1/namespaces/jobs/jobs/j',
        type: 'application/json-patch+json',
        body: [
          { op: 'test', path: '/metadata/finalizers/1', value: FINALIZER },
          { op: 'remove', path: '/metadata/finalizers/1' },
          { op: 'add', path: '/metadata/annotations/eks-job-runner.io~1settled', value: 'SUCCEEDED' },
        ],
      },
    ]);
  });

  it('adds the whole map when the Job has no annotations, guarded by its resourceVersion', async () => {
    const seen = recording(() => ({ code: 200, body: heldJob() }));
    await new KubeClient(kc).releaseJob(heldJob({ resourceVersion: '7' }), 'FAILED');
    assert.deepEqual(seen[0]?.body, [
      { op: 'test', path: '/metadata/finalizers/1', value: FINALIZER },
      { op: 'remove', path: '/metadata/finalizers/1' },
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/metadata/annotations', value: { 'eks-job-runner.io/settled': 'FAILED' } },
    ]);
  });

  it('on a failed test reads the Job again and marks it by key once it has annotations', async () => {
    const now = heldJob({ annotations: { 'someone.io/else': 'x' }, resourceVersion: '8' });
    const seen = recording((req, calls) =>
      req.method === 'PATCH' && calls === 1 ? { code: 422, body: conflict } : { code: 200, body: now },
    );
    assert.equal(await new KubeClient(kc).releaseJob(heldJob({ resourceVersion: '7' }), 'LOST'), 'released');
    assert.deepEqual(
      seen.map((s) => s.method),
      ['PATCH', 'GET', 'PATCH'],
    );
    assert.deepEqual((seen[2]?.body as object[] | undefined)?.at(-1), {
      op: 'add',
      path: '/metadata/annotations/eks-job-runner.io~1settled',
      value: 'LOST',
    });
  });

  it("a pod's release carries no mark", async () => {
    const seen = recording(() => ({ code: 200, body: {} }));
    const pod = { metadata: { name: 'p', namespace: 'jobs', finalizers: [FINALIZER], annotations: {} } };
    await new KubeWatchClient(kc).releasePod(pod);
    assert.deepEqual(seen[0]?.body, [
      { op: 'test', path: '/metadata/finalizers/0', value: FINALIZER },
      { op: 'remove', path: '/metadata/finalizers/0' },
    ]);
  });
});
