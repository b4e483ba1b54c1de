import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBatch } from '../../../../functions/submit/batch.ts';
import type { QueueMessage } from '../../../../functions/submit/process.ts';
import { body, far, processOne, request, TEST_POLICY_INPUT, testDeps, testPolicy } from './fakes.ts';

const TEAM_A = 'AROATEAMA000000000001';
const TEAM_B = 'AROATEAMB000000000001';
const OPERATOR = 'AIDAOPERATOR00000001';
const policy = testPolicy({
  ...TEST_POLICY_INPUT,
  principals: [
    { senderId: `${TEAM_A}:*`, owners: ['team-a'] },
    { senderId: `${TEAM_B}:*`, owners: ['team-b'] },
    { senderId: OPERATOR, cancelAny: true },
  ],
});
const deps = () => testDeps({ policy });
const from = (senderId: string | undefined, messageId: string, value: unknown): QueueMessage => ({
  messageId,
  body: body(value),
  attributes: senderId === undefined ? {} : { SenderId: senderId },
});
const submitA = (extra: Record<string, unknown> = {}) => request({ owner: 'team-a', ...extra });
const cancel = { action: 'cancel', jobId: 'job-1', requestedBy: 'bob@team-b', reason: 'mine now' };
const rules = (reasons: { path: string; rule: string }[] | undefined) =>
  reasons?.map((r) => `${r.path} ${r.rule}`);

describe('ownership: a submit', () => {
  it('its sender may submit for its own team', async () => {
    const d = deps();
    assert.equal(await processOne(d, from(`${TEAM_A}:ci`, 'm-1', submitA()), far()), 'Accepted');
    assert.equal(d.store.items.get('job-1')?.owner, 'team-a');
    assert.equal(d.kube.jobs.size, 1);
  });

  it('for another team: REJECTED NotAuthorized under the message id, no Job, the jobId left free', async () => {
    const d = deps();
    const message = from(`${TEAM_A}:ci`, 'm-1', submitA({ owner: 'team-b' }));
    assert.equal(await processOne(d, message, far()), 'NotAuthorized');
    assert.equal(d.store.items.has('job-1'), false);
    const record = d.store.items.get('m-1');
    assert.equal(record?.state, 'REJECTED');
    assert.equal(record?.reason, 'NotAuthorized');
    assert.equal(record?.owner, 'team-b', 'listed under the owner it named');
    assert.deepEqual(rules(record?.reasons), ['owner auth.owner_not_allowed']);
    assert.match(record?.message ?? '', new RegExp(`sender ${TEAM_A}:ci may not submit for owner team-b`));
    assert.equal(d.kube.calls.length, 0);
    assert.equal(d.store.events[0]?.detail.jobId, 'm-1', 'its event is under the message id too');
    // a redelivery finds its record
    assert.equal(await processOne(d, message, far()), 'Duplicate');
    // team-b's own submit of that jobId is not held up by the refusal
    assert.equal(
      await processOne(d, from(`${TEAM_B}:ci`, 'm-2', submitA({ owner: 'team-b' })), far()),
      'Accepted',
    );
  });

  it('from an unmapped sender, or with no SenderId: refused, whatever it sent', async () => {
    const d = deps();
    const result = await runBatch(
      d,
      [
        from('AIDASOMEONEELSE', 'm-1', submitA()),
        from(undefined, 'm-2', submitA({ jobId: 'job-2' })),
        { ...from('AIDASOMEONEELSE', 'm-3', {}), body: '{nope' },
        from('AIDASOMEONEELSE', 'm-4', cancel),
      ],
      { concurrency: 4, deadline: far() },
    );
    assert.deepEqual(result.batchItemFailures, []);
    for (const id of ['m-1', 'm-2', 'm-3', 'm-4']) {
      assert.equal(d.store.items.get(id)?.reason, 'NotAuthorized', id);
      assert.deepEqual(rules(d.store.items.get(id)?.reasons), [' auth.sender_not_mapped'], id);
    }
    assert.match(d.store.items.get('m-2')?.message ?? '', /a message without a SenderId is not mapped/);
    assert.equal(d.store.items.has('job-1'), false);
    assert.equal(d.counts.get('NotAuthorized'), 4);
    assert.equal(d.store.events.length, 4, 'every refusal makes an event');
    assert.equal(d.kube.calls.length, 0);
  });
});

describe('ownership: a cancel', () => {
  it('by another team: refused and recorded under its message id; the record and the Job untouched', async () => {
    const d = deps();
    await processOne(d, from(`${TEAM_A}:ci`, 'm-1', submitA()), far());
    const before = structuredClone(d.store.items.get('job-1'));
    assert.equal(await processOne(d, from(`${TEAM_B}:bob`, 'c-1', cancel), far()), 'NotAuthorized');
    assert.deepEqual(d.store.items.get('job-1'), before);
    assert.equal(d.kube.jobs.size, 1);
    assert.equal(d.kube.calls.filter((c) => c === 'delete').length, 0);
    const refusal = d.store.items.get('c-1');
    assert.equal(refusal?.state, 'REJECTED');
    assert.equal(refusal?.reason, 'NotAuthorized');
    assert.equal(refusal?.owner, 'bob@team-b');
    assert.deepEqual(rules(refusal?.reasons), ['jobId auth.cancel_not_allowed']);
    assert.match(
      refusal?.message ?? '',
      new RegExp(`sender ${TEAM_B}:bob may not cancel job job-1 of owner team-a`),
    );
    assert.equal(await processOne(d, from(`${TEAM_B}:bob`, 'c-1', cancel), far()), 'Duplicate');
  });

  it("by the owner's team or an operator: applied, the cancellation names the sender id", async () => {
    for (const sender of [`${TEAM_A}:alice`, OPERATOR]) {
      const d = deps();
      await processOne(d, from(`${TEAM_A}:ci`, 'm-1', submitA()), far());
      assert.equal(await processOne(d, from(sender, 'c-1', cancel), far()), 'CancelApplied', sender);
      const record = d.store.items.get('job-1');
      assert.equal(record?.state, 'CANCELLED');
      assert.deepEqual(
        { by: record?.cancellation?.by, senderId: record?.cancellation?.senderId },
        { by: 'bob@team-b', senderId: sender },
      );
      assert.equal(d.kube.jobs.size, 0);
    }
  });

  it('before its submit: the tombstone holds a submit of its own team, not of another', async () => {
    const own = deps();
    assert.equal(await processOne(own, from(`${TEAM_A}:alice`, 'c-1', cancel), far()), 'CancelBeforeSubmit');
    assert.equal(own.store.items.get('job-1')?.cancellation?.senderId, `${TEAM_A}:alice`);
    assert.equal(await processOne(own, from(`${TEAM_A}:ci`, 'm-1', submitA()), far()), 'SubmitAfterCancel');

    const other = deps();
    assert.equal(await processOne(other, from(`${TEAM_B}:bob`, 'c-1', cancel), far()), 'CancelBeforeSubmit');
    const tombstone = structuredClone(other.store.items.get('job-1'));
    assert.equal(await processOne(other, from(`${TEAM_A}:ci`, 'm-1', submitA()), far()), 'Conflict');
    assert.deepEqual(other.store.items.get('job-1'), tombstone);
    assert.deepEqual(rules(other.store.items.get('m-1')?.reasons), [
      'jobId request.conflict',
      'jobId auth.cancel_not_allowed',
    ]);
    assert.equal(other.kube.calls.filter((c) => c === 'create').length, 0, 'never a Job');
  });

  it('racing a submit of another team: checked again against the record written meanwhile', async () => {
    const d = deps();
    const create = d.store.create.bind(d.store);
    let raced = false;
    d.store.create = async (record) => {
      if (!raced && record.state === 'CANCELLED') {
        raced = true;
        await processOne(d, from(`${TEAM_A}:ci`, 'm-1', submitA()), far());
      }
      return create(record);
    };
    assert.equal(await processOne(d, from(`${TEAM_B}:bob`, 'c-1', cancel), far()), 'NotAuthorized');
    assert.ok(raced);
    assert.equal(d.store.items.get('job-1')?.state, 'SUBMITTED');
    assert.equal(d.kube.jobs.size, 1);
  });
});
