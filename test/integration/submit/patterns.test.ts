import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  admin,
  cleanup,
  context,
  getRecord,
  jobFinished,
  jobsFor,
  repoRoot,
  sqsEvent,
  sqsRecord,
  submitHandler,
  uid,
  waitFor,
} from './support.ts';

const created = new Set<string>();
const example = (file: string) =>
  JSON.parse(readFileSync(join(repoRoot, 'docs/examples', file), 'utf8')) as Record<string, unknown>;

/** The four patterns of the Kubernetes Jobs guide, from docs/examples, each run to completion. */
const PATTERNS: [string, string, (pods: number) => boolean][] = [
  ['one-shot', 'one-shot.json', (pods) => pods === 1],
  ['fixed completions in parallel', 'parallel-fixed-completions.json', (pods) => pods === 6],
  ['indexed', 'indexed.json', (pods) => pods === 5],
  ['work queue', 'work-queue.json', (pods) => pods === 3],
];

describe('the four Job patterns run on the local stack (docs/examples)', () => {
  after(() => cleanup(created));

  for (const [name, file, podsOk] of PATTERNS) {
    it(`${name}: ${file} runs to Complete`, async () => {
      const handler = await submitHandler();
      const jobId = uid(name.replaceAll(' ', '-'));
      created.add(jobId);
      const out = await handler(sqsEvent([sqsRecord({ ...example(file), jobId })]), context());
      assert.deepEqual(out.batchItemFailures, []);
      assert.ok(
        ['SUBMITTED', 'PENDING', 'RUNNING', 'SUCCEEDED'].includes((await getRecord(jobId))?.state ?? ''),
      );
      const [job] = await jobsFor(jobId);
      assert.ok(job, 'the Job exists');
      const finished = await waitFor(`${name} to finish`, () => jobFinished(job), 60_000, 500);
      assert.equal(finished, 'Complete');
      const pods = await admin.core.listNamespacedPod({
        namespace: job.metadata?.namespace ?? '',
        labelSelector: `batch.kubernetes.io/job-name=${job.metadata?.name}`,
      });
      assert.ok(
        podsOk(pods.items.filter((p) => p.status?.phase === 'Succeeded').length),
        `${pods.items.length} pods`,
      );
      if (file === 'indexed.json') {
        const indexes = pods.items
          .map((p) => p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'])
          .sort();
        assert.deepEqual(indexes, ['0', '1', '2', '3', '4']);
      }
    });
  }
});
