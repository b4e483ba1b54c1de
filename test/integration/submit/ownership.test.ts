// Ownership on the real adapters (v1.1): the owner a sender may submit for, and whose jobs it may
// cancel, come from the policy's principals, by the SQS record's SenderId.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { SQSRecord } from 'aws-lambda';
import { runBatch } from '../../../functions/submit/batch.ts';
import type { PolicyInput } from '../../../shared/core/submit/policy.ts';
import { cleanup, getRecord, jobsFor, liveJobsFor, realDeps, sqsRecord, uid, waitFor } from './support.ts';

const TEAM_A = 'AROAITTEAMA000000001';
const TEAM_B = 'AROAITTEAMB000000001';
const policy: PolicyInput = {
  images: { allowedRegistries: ['public.ecr.aws'] },
  principals: [
    { senderId: `${TEAM_A}:*`, owners: ['it-team-a'] },
    { senderId: `${TEAM_B}:*`, owners: ['it-team-b'] },
  ],
};
const created = new Set<string>();
const submit = (jobId: string, owner: string) => {
  created.add(jobId);
  return {
    jobId,
    owner,
    image: 'public.ecr.aws/docker/library/busybox:1.36',
    command: ['sleep', '60'],
    podAnnotations: { 'outcome.local/duration': '60s' },
  };
};
const cancel = (jobId: string) => ({ action: 'cancel', jobId, requestedBy: 'it-bob', reason: 'not yours' });
/** A record as SQS delivers it, sent with the credentials of `senderId`. */
const sentBy = (senderId: string, value: unknown): SQSRecord => {
  const record = sqsRecord(value);
  return { ...record, attributes: { ...record.attributes, SenderId: senderId } };
};
const deliver = async (...records: SQSRecord[]) => {
  const out = await runBatch(realDeps(policy), records, { concurrency: 4, deadline: Date.now() + 25_000 });
  assert.deepEqual(out.batchItemFailures, [], 'every refusal is consumed');
};
/** Nothing of a cancel on the record (a reconcile running on the stack may move it on meanwhile). */
async function untouched(jobId: string) {
  const record = await getRecord(jobId);
  assert.ok(record && record.state !== 'CANCELLED', `still active: ${record?.state}`);
  assert.equal(record.cancellation, undefined);
  assert.equal(record.expiresAt, undefined);
}
const rules = (reasons: { path: string; rule: string }[] | undefined) =>
  reasons?.map((r) => `${r.path} ${r.rule}`);

describe('ownership (local stack)', () => {
  after(() => cleanup(created));

  it('a sender of team-a submits as team-a, not as team-b: REJECTED under the message id, no Job', async () => {
    const own = uid('own');
    const other = uid('other');
    const refused = sentBy(`${TEAM_A}:ci`, submit(other, 'it-team-b'));
    await deliver(sentBy(`${TEAM_A}:ci`, submit(own, 'it-team-a')), refused);

    assert.equal((await getRecord(own))?.state, 'SUBMITTED');
    assert.equal((await jobsFor(own)).length, 1);

    assert.equal(await getRecord(other), undefined, 'the jobId is not taken');
    assert.equal((await jobsFor(other)).length, 0);
    const record = await getRecord(refused.messageId);
    assert.equal(record?.state, 'REJECTED');
    assert.equal(record?.reason, 'NotAuthorized');
    assert.deepEqual(rules(record?.reasons), ['owner auth.owner_not_allowed']);
    assert.match(record?.message ?? '', new RegExp(`sender ${TEAM_A}:ci may not submit for owner it-team-b`));
  });

  it("a sender of team-b cannot cancel team-a's job: the record and the Job untouched, the refusal recorded", async () => {
    const jobId = uid('not-yours');
    await deliver(sentBy(`${TEAM_A}:ci`, submit(jobId, 'it-team-a')));
    assert.equal((await getRecord(jobId))?.state, 'SUBMITTED');

    const refused = sentBy(`${TEAM_B}:bob`, cancel(jobId));
    await deliver(refused);
    await untouched(jobId);
    assert.equal((await liveJobsFor(jobId)).length, 1, 'the Job runs on');
    const refusal = await getRecord(refused.messageId);
    assert.equal(refusal?.state, 'REJECTED');
    assert.equal(refusal?.reason, 'NotAuthorized');
    assert.deepEqual(rules(refusal?.reasons), ['jobId auth.cancel_not_allowed']);
    // its redelivery changes nothing either
    await deliver(refused);
    await untouched(jobId);

    // team-a's own cancel applies, and the record names the sender as well as who
    await deliver(sentBy(`${TEAM_A}:alice`, cancel(jobId)));
    const cancelled = await getRecord(jobId);
    assert.equal(cancelled?.state, 'CANCELLED');
    assert.equal(cancelled?.cancellation?.by, 'it-bob');
    assert.equal(cancelled?.cancellation?.senderId, `${TEAM_A}:alice`);
    await waitFor('the Job to be deleted', async () =>
      (await liveJobsFor(jobId)).length === 0 ? true : undefined,
    );
  });

  it('an unmapped sender is refused: no record under the jobId, no Job', async () => {
    const jobId = uid('unmapped');
    const refused = sentBy('AIDAITNOBODY00000001', submit(jobId, 'it-team-a'));
    await deliver(refused);
    assert.equal(await getRecord(jobId), undefined);
    assert.equal((await jobsFor(jobId)).length, 0);
    const record = await getRecord(refused.messageId);
    assert.equal(record?.reason, 'NotAuthorized');
    assert.deepEqual(rules(record?.reasons), [' auth.sender_not_mapped']);
    assert.match(record?.message ?? '', /sender AIDAITNOBODY00000001 is not mapped/);
  });
});
