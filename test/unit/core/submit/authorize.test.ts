import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cancelRefusal,
  grantOf,
  matchesSender,
  messageRefusal,
  tombstoneRefusal,
} from '../../../../shared/core/submit/authorize.ts';
import { parseBody } from '../../../../shared/core/submit/parse-request.ts';
import { type PolicyInput, parsePolicy } from '../../../../shared/core/submit/policy.ts';
import { submittedRecord, tombstoneRecord } from '../../../../shared/core/submit/records.ts';

const TEAM_A = 'AROATEAMA000000000001';
const TEAM_B = 'AROATEAMB000000000001';
const OPERATOR = 'AIDAOPERATOR00000001';
const principals = (extra: PolicyInput['principals'] = []) =>
  parsePolicy(
    {
      principals: [
        { senderId: `${TEAM_A}:*`, owners: ['team-a'] },
        { senderId: `${TEAM_B}:*`, owners: ['team-b'] },
        { senderId: `${TEAM_B}:nightly`, owners: ['team-shared'] },
        { senderId: OPERATOR, cancelAny: true },
        ...extra,
      ],
    },
    ['jobs'],
  ).principals;
const submitAs = (owner: string) =>
  parseBody(JSON.stringify({ jobId: 'j-1', owner, image: 'busybox' }), 'm-1');
const cancelOf = parseBody(JSON.stringify({ action: 'cancel', jobId: 'j-1', requestedBy: 'bob' }), 'm-1');
const at = '2026-01-01T00:00:00.000Z';
const recordOf = (owner: string) =>
  submittedRecord({
    jobId: 'j-1',
    owner,
    at,
    namespace: 'jobs',
    jobName: 'j-1-abc',
    requestHash: 'h',
    request: {},
    sourceMessageId: 'm-0',
  });
const tombstoneBy = (senderId?: string) =>
  tombstoneRecord({ jobId: 'j-1', by: 'bob', senderId, at, sourceMessageId: 'c-0', retentionSeconds: 3600 });
const rule = (reason: { path: string; rule: string } | undefined) =>
  reason && `${reason.path} ${reason.rule}`;

describe('senders and their principals', () => {
  it('a pattern is exact, or a prefix before a final *; * alone matches every sender, one without an id too', () => {
    assert.equal(matchesSender(OPERATOR, OPERATOR), true);
    assert.equal(matchesSender(OPERATOR, `${OPERATOR}2`), false);
    assert.equal(matchesSender(`${TEAM_A}:*`, `${TEAM_A}:alice`), true);
    assert.equal(matchesSender(`${TEAM_A}:*`, TEAM_A), false, 'the role itself is not one of its sessions');
    assert.equal(matchesSender(`${TEAM_A}:*`, undefined), false);
    assert.equal(matchesSender('*', 'anything'), true);
    assert.equal(matchesSender('*', undefined), true);
    assert.equal(matchesSender(OPERATOR, undefined), false);
  });

  it('a sender gets the union of the principals it matches; an empty id is no id', () => {
    const grant = grantOf(principals(), `${TEAM_B}:nightly`);
    assert.deepEqual([...(grant?.owners ?? [])].sort(), ['team-b', 'team-shared']);
    assert.equal(grant?.cancelAny, false);
    assert.equal(grantOf(principals(), `${TEAM_B}:adhoc`)?.owners.has('team-shared'), false);
    assert.equal(grantOf(principals(), 'AIDASOMEONEELSE'), undefined);
    assert.equal(grantOf(principals(), ''), undefined);
    assert.deepEqual([...(grantOf(principals([{ senderId: '*', owners: [] }]), '')?.owners ?? ['none'])], []);
  });

  it('the policy maps no sender by default, and refuses a * inside a pattern', () => {
    assert.deepEqual(parsePolicy({}, ['jobs']).principals, []);
    assert.throws(
      () => parsePolicy({ principals: [{ senderId: 'AROA*:x', owners: ['a'] }] }, ['jobs']),
      /principals.0.senderId: a \* may only end the pattern/,
    );
    assert.throws(() => parsePolicy({ principals: [{ senderId: '', owners: ['a'] }] }, ['jobs']), /senderId/);
  });
});

describe('who may submit for which owner', () => {
  it('a sender submits for its owners only', () => {
    assert.equal(messageRefusal(principals(), `${TEAM_A}:alice`, submitAs('team-a')), undefined);
    const refused = messageRefusal(principals(), `${TEAM_A}:alice`, submitAs('team-b'));
    assert.equal(rule(refused), 'owner auth.owner_not_allowed');
    assert.equal(refused?.message, `sender ${TEAM_A}:alice may not submit for owner team-b`);
    assert.equal(
      rule(messageRefusal(principals(), OPERATOR, submitAs('team-a'))),
      'owner auth.owner_not_allowed',
      'cancelAny is not a right to submit',
    );
    assert.equal(
      messageRefusal(principals([{ senderId: OPERATOR, owners: ['*'] }]), OPERATOR, submitAs('x')),
      undefined,
    );
  });

  it('an unmapped sender is refused whatever it sends: a submit, a cancel, an invalid body', () => {
    for (const parsed of [submitAs('team-a'), cancelOf, parseBody('{nope', 'm-1')]) {
      const refused = messageRefusal(principals(), 'AIDASOMEONEELSE', parsed);
      assert.equal(rule(refused), ' auth.sender_not_mapped');
      assert.match(refused?.message ?? '', /sender AIDASOMEONEELSE is not mapped/);
    }
    assert.match(
      messageRefusal(principals(), undefined, submitAs('team-a'))?.message ?? '',
      /a message without a SenderId is not mapped/,
    );
    assert.equal(messageRefusal([], `${TEAM_A}:alice`, cancelOf)?.rule, 'auth.sender_not_mapped');
  });

  it("a mapped sender's cancel and invalid body go on to their own checks", () => {
    assert.equal(messageRefusal(principals(), `${TEAM_B}:x`, cancelOf), undefined);
    assert.equal(messageRefusal(principals(), `${TEAM_B}:x`, parseBody('{nope', 'm-1')), undefined);
  });
});

describe('who may cancel which job', () => {
  it("the sender of the record owner's team, or one with cancelAny, whatever the state", () => {
    assert.equal(cancelRefusal(principals(), `${TEAM_A}:alice`, recordOf('team-a')), undefined);
    assert.equal(cancelRefusal(principals(), OPERATOR, recordOf('team-a')), undefined);
    const refused = cancelRefusal(principals(), `${TEAM_B}:bob`, recordOf('team-a'));
    assert.equal(rule(refused), 'jobId auth.cancel_not_allowed');
    assert.equal(refused?.message, `sender ${TEAM_B}:bob may not cancel job j-1 of owner team-a`);
    assert.equal(
      rule(cancelRefusal(principals(), `${TEAM_B}:bob`, { ...recordOf('team-a'), state: 'SUCCEEDED' })),
      'jobId auth.cancel_not_allowed',
    );
  });

  it('with nothing to touch (no record, a tombstone) any mapped sender may cancel; an unmapped one never', () => {
    assert.equal(cancelRefusal(principals(), `${TEAM_B}:bob`, undefined), undefined);
    assert.equal(cancelRefusal(principals(), `${TEAM_B}:bob`, tombstoneBy(`${TEAM_A}:alice`)), undefined);
    assert.equal(rule(cancelRefusal(principals(), 'AIDASOMEONEELSE', undefined)), ' auth.sender_not_mapped');
  });

  it('a tombstone holds a submit only for an owner its sender could have cancelled', () => {
    assert.equal(tombstoneRefusal(principals(), tombstoneBy(`${TEAM_A}:alice`), 'team-a'), undefined);
    assert.equal(tombstoneRefusal(principals(), tombstoneBy(OPERATOR), 'team-a'), undefined);
    const refused = tombstoneRefusal(principals(), tombstoneBy(`${TEAM_B}:bob`), 'team-a');
    assert.equal(rule(refused), 'jobId auth.cancel_not_allowed');
    assert.match(
      refused?.message ?? '',
      new RegExp(`came from sender ${TEAM_B}:bob, which may not cancel jobs of owner team-a`),
    );
    // A tombstone from before v1.1 names no sender: only a `*` principal lets it hold a submit.
    assert.equal(
      rule(tombstoneRefusal(principals(), tombstoneBy(undefined), 'team-a')),
      'jobId auth.cancel_not_allowed',
    );
    assert.equal(
      tombstoneRefusal(principals([{ senderId: '*', owners: ['*'] }]), tombstoneBy(undefined), 'team-a'),
      undefined,
    );
  });
});
