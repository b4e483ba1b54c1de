import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ANNOTATIONS } from '../../../shared/core/job/labels.ts';
import {
  cleanup,
  context,
  functionEnv,
  getRecord,
  jobsFor,
  repoRoot,
  sqsEvent,
  sqsRecord,
  submitHandler,
  uid,
} from './support.ts';

const run = promisify(execFile);
const created = new Set<string>();
const request = (jobId: string, extra: Record<string, unknown> = {}) => {
  created.add(jobId);
  return {
    jobId,
    owner: 'it-submit',
    image: 'public.ecr.aws/docker/library/busybox:1.36',
    command: ['sh', '-c', 'true'],
    podAnnotations: { 'outcome.local/duration': '1s' },
    ...extra,
  };
};

describe('exactly once on at-least-once delivery (local stack)', () => {
  after(() => cleanup(created));

  it('the same message three times: one Job, one SUBMITTED record carrying the Job hash', async () => {
    const handler = await submitHandler();
    const jobId = uid('thrice');
    const record = sqsRecord(request(jobId));
    for (let i = 0; i < 3; i++) {
      const out = await handler(sqsEvent([record]), context());
      assert.deepEqual(out.batchItemFailures, []);
    }
    const jobs = await jobsFor(jobId);
    assert.equal(jobs.length, 1);
    const stored = await getRecord(jobId);
    // one submit write: later versions can only come from reconcile moving the state forward
    assert.equal(stored?.history.filter((h) => h.state === 'SUBMITTED').length, 1);
    assert.equal(stored?.sourceMessageId, record.messageId);
    assert.equal(jobs[0]?.metadata?.annotations?.[ANNOTATIONS.requestHash], stored?.requestHash);
    assert.equal(jobs[0]?.metadata?.annotations?.[ANNOTATIONS.jobId], jobId);
  });

  it('duplicates in one batch (different message ids, same jobId): one Job', async () => {
    const handler = await submitHandler();
    const jobId = uid('batch');
    const out = await handler(
      sqsEvent(Array.from({ length: 6 }, () => sqsRecord(request(jobId)))),
      context(),
    );
    assert.deepEqual(out.batchItemFailures, []);
    assert.equal((await jobsFor(jobId)).length, 1);
  });

  it('the same jobId in parallel invocations (separate processes, each a cold container): one Job', async () => {
    const jobId = uid('parallel');
    const body = JSON.stringify(request(jobId));
    const script = `
      const { handler } = await import(${JSON.stringify(`${repoRoot}/functions/submit/handler.ts`)});
      const out = await handler({ Records: [{ messageId: crypto.randomUUID(), body: process.env.BODY }] },
        { getRemainingTimeInMillis: () => 30000 });
      console.log(JSON.stringify(out));`;
    const node = `${repoRoot}/node_modules/.bin/node`;
    const outputs = await Promise.all(
      Array.from({ length: 4 }, () =>
        run(node, ['--input-type=module', '-e', script], {
          env: { ...process.env, ...functionEnv(), BODY: body },
          timeout: 60_000,
        }),
      ),
    );
    for (const { stdout } of outputs)
      assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}'), { batchItemFailures: [] });
    assert.equal((await jobsFor(jobId)).length, 1);
    assert.equal((await getRecord(jobId))?.history.filter((h) => h.state === 'SUBMITTED').length, 1);
  });

  it('the same jobId with a different request: a conflict, the first record and Job untouched', async () => {
    const handler = await submitHandler();
    const jobId = uid('conflict');
    await handler(sqsEvent([sqsRecord(request(jobId))]), context());
    const before = await getRecord(jobId);
    const second = sqsRecord(request(jobId, { args: ['different'] }));
    const out = await handler(sqsEvent([second]), context());
    assert.deepEqual(out.batchItemFailures, [], 'consumed, not retried');
    assert.deepEqual(await getRecord(jobId), before);
    const notice = await getRecord(second.messageId);
    assert.equal(notice?.state, 'REJECTED');
    assert.equal(notice?.reasons?.[0]?.rule, 'request.conflict');
    const jobs = await jobsFor(jobId);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]?.metadata?.annotations?.[ANNOTATIONS.requestHash], before?.requestHash);
  });

  it('without a jobId, the message id is the key: a redelivery of that message is deduped', async () => {
    const handler = await submitHandler();
    const { jobId: _, ...noId } = request('unused');
    const record = sqsRecord(noId);
    created.add(record.messageId);
    await handler(sqsEvent([record]), context());
    await handler(sqsEvent([record]), context());
    assert.equal((await jobsFor(record.messageId)).length, 1);
    assert.equal((await getRecord(record.messageId))?.history[0]?.state, 'SUBMITTED');
  });
});
