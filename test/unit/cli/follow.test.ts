// logs --follow against a stand-in apiserver on loopback: the pods list and a pods/log stream
// that, like a followed log, stays open after its last line.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { followLogs } from '../../../cli/follow.ts';
import type { JobRecord } from '../../../shared/core/job/record.ts';
import { record } from './fakes.ts';

let server: Server;
let kc: KubeConfig;
const requests: string[] = [];
let status = 200;

before(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '', 'http://x');
    requests.push(
      `${url.pathname}?${url.searchParams.get('labelSelector') ?? url.searchParams.get('follow')}`,
    );
    if (status !== 200) {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: status, message: 'pods is forbidden' }));
      return;
    }
    if (url.pathname === '/api/v1/namespaces/jobs/pods') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: {},
          items: [
            {
              metadata: { name: 'p1' },
              spec: { containers: [{ name: 'job' }] },
              status: { phase: 'Running' },
            },
            {
              metadata: { name: 'p0' },
              spec: { containers: [{ name: 'job' }] },
              status: { phase: 'Pending' },
            },
          ],
        }),
      );
      return;
    }
    if (url.pathname === '/api/v1/namespaces/jobs/pods/p1/log') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('starting work\n');
      setTimeout(() => res.write('done\n'), 20);
      return; // never ends, as a followed log of a container that keeps running
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'c',
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function io() {
  const seen = { out: '', err: '' };
  return {
    seen,
    io: {
      out: (t: string) => {
        seen.out += t;
      },
      err: (t: string) => {
        seen.err += t;
      },
      errIsTTY: false,
      readText: () => '',
    },
  };
}

describe('logs --follow', () => {
  const running = record('a', 'RUNNING', { namespace: 'jobs', jobName: 'a-job' });

  it("streams the started pods' logs until the record is terminal, then the tails of pods it never saw", async () => {
    const reads: JobRecord[] = [
      running,
      record('a', 'SUCCEEDED', {
        namespace: 'jobs',
        jobName: 'a-job',
        result: {
          attempts: 2,
          succeeded: 1,
          failed: 1,
          pods: [
            { podName: 'p1', logTail: 'done\n' },
            { podName: 'p-gone', logTail: 'an earlier attempt\n' },
          ],
        },
      }),
    ];
    const { seen, io: out } = io();
    const started = Date.now();
    const last = await followLogs(running, {
      kc,
      read: async () => reads.shift(),
      io: out,
      // a real wait between polls, so that the log's lines arrive meanwhile
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 100))),
      intervalMs: 100,
    });
    assert.equal(last.state, 'SUCCEEDED');
    assert.equal(seen.out, 'starting work\ndone\nan earlier attempt\n');
    assert.equal(seen.err, '==> p1 <==\n==> p-gone (recorded tail) <==\n');
    assert.ok(requests.includes('/api/v1/namespaces/jobs/pods?batch.kubernetes.io/job-name=a-job'));
    assert.ok(requests.includes('/api/v1/namespaces/jobs/pods/p1/log?true'), 'p1 followed, p0 (pending) not');
    assert.ok(!requests.some((r) => r.includes('/p0/')));
    assert.ok(Date.now() - started < 3000, 'an open stream is cut once the job has ended');
  });

  it('says what access is missing when the cluster refuses', async () => {
    status = 403;
    try {
      await assert.rejects(
        followLogs(running, {
          kc,
          read: async () => running,
          io: io().io,
          sleep: async () => {},
          intervalMs: 0,
        }),
        /cannot stream logs from the cluster .*pods list and pods\/log get/,
      );
    } finally {
      status = 200;
    }
  });
});
