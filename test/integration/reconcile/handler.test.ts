// The reconcile function as deployed: the built bundle, its environment (the names CDK sets),
// a ScheduledEvent and a Lambda context; the window ends before the remaining time does.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DUMMY_CREDENTIALS } from '../../../infra/local/aws/client-config.ts';
import { jobManifest, queries, removeJob, stack, submit, type TestJob, uniqueJob } from './support.ts';

const root = resolve(import.meta.dirname, '../../..');
const created: TestJob[] = [];
after(async () => {
  await Promise.all(created.map(removeJob));
});

describe('reconcile bundle', () => {
  it('runs from dist/functions/reconcile/index.mjs with the function environment and records a job', async () => {
    execFileSync(process.execPath, ['scripts/build-bundles.ts'], {
      cwd: root,
      stdio: 'ignore',
      timeout: 120_000,
    });
    Object.assign(process.env, {
      JOBS_TABLE_NAME: stack.aws.tableName,
      CLUSTER_ACCESS: 'kubeconfig',
      KUBECONFIG: stack.kubeconfigs.reconcile,
      JOBS_NAMESPACES: stack.jobsNamespaces.join(','),
      RECONCILE_WINDOW_SECONDS: '6',
      LOG_TAIL_LINES: '10',
      AWS_ENDPOINT_URL: stack.aws.endpoint,
      AWS_REGION: stack.aws.region,
      AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    const t = uniqueJob('bundle');
    created.push(t);
    await submit(t, jobManifest(t, { podAnnotations: { 'outcome.local/duration': '1s' } }));
    const bundle = await import(pathToFileURL(resolve(root, 'dist/functions/reconcile/index.mjs')).href);
    const started = Date.now();
    const stats = await bundle.handler(
      {
        id: 'e-1',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        time: new Date().toISOString(),
        resources: [],
        detail: {},
      },
      { getRemainingTimeInMillis: () => 90_000, functionName: 'reconcile', awsRequestId: 'r-1' },
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 5000 && elapsed < 20_000, `the window bounds the invocation (${elapsed} ms)`);
    assert.equal(stats.errors, 0);
    const r = await queries.getJob(t.jobId);
    assert.equal(r?.state, 'SUCCEEDED', JSON.stringify(r?.history));
  });
});
