import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Job } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../../../../shared/core/job/labels.ts';
import type { JobRecord } from '../../../../shared/core/job/record.ts';
import { planCancel } from '../../../../shared/core/submit/cancel-plan.ts';
import { jobOf, submittedRecord, tombstoneRecord } from '../../../../shared/core/submit/records.ts';
import {
  conflictReasons,
  decideOnExisting,
  failureRefusal,
  judgeExistingJob,
  podSecurityRefusal,
  refusedRecord,
} from '../../../../shared/core/submit/submit-plan.ts';

const at = '2026-01-01T00:00:00.000Z';
const submitted = (extra: Partial<JobRecord> = {}): JobRecord => ({
  ...submittedRecord({
    jobId: 'job-1',
    owner: 'alice',
    at,
    namespace: 'jobs',
    jobName: 'job-1-abc',
    requestHash: 'ours',
    request: {},
    sourceMessageId: 'm-1',
  }),
  ...extra,
});
const tombstone = tombstoneRecord({
  jobId: 'job-1',
  by: 'bob',
  senderId: 'AROABOB:bob',
  at,
  sourceMessageId: 'c-1',
  retentionSeconds: 3600,
});
/** alice's submit; the tombstone's sender acts for alice. */
const who = { owner: 'alice', principals: [{ senderId: 'AROABOB:*', owners: ['alice'], cancelAny: false }] };
const ref = { namespace: 'jobs', jobName: 'job-1-abc' };
const jobWithHash = (hash?: string): V1Job => ({
  metadata: {
    name: ref.jobName,
    namespace: ref.namespace,
    annotations: hash ? { [ANNOTATIONS.requestHash]: hash } : {},
  },
});

describe('submit decisions on an existing record', () => {
  it('the same request still SUBMITTED creates its Job (again); further on, it is a duplicate', () => {
    assert.deepEqual(decideOnExisting(submitted(), 'ours', who), { action: 'create-job' });
    assert.deepEqual(decideOnExisting(submitted({ state: 'RUNNING' }), 'ours', who), {
      action: 'done',
      why: 'duplicate-progressed',
    });
    assert.deepEqual(decideOnExisting(submitted({ state: 'SUCCEEDED' }), 'ours', who), {
      action: 'done',
      why: 'duplicate-terminal',
    });
  });

  it('another request under the jobId is a conflict', () => {
    assert.deepEqual(decideOnExisting(submitted(), 'theirs', who), { action: 'conflict' });
    assert.deepEqual(decideOnExisting(submitted({ state: 'CANCELLED' }), 'theirs', who), {
      action: 'conflict',
    });
  });

  it('cancelled: no Job is created; ours, an earlier delivery may have made, is deleted', () => {
    assert.deepEqual(decideOnExisting(tombstone, 'ours', who), { action: 'done', why: 'cancelled' });
    assert.deepEqual(decideOnExisting(submitted({ state: 'CANCELLED' }), 'ours', who), {
      action: 'done',
      why: 'cancelled',
      job: ref,
    });
  });
});

describe('a tombstone and the submit that meets it', () => {
  it('holds the submit only if its cancel could have cancelled that owner: else a conflict, with why', () => {
    const decision = decideOnExisting(tombstone, 'ours', { ...who, owner: 'carol' });
    assert.equal(decision.action, 'conflict');
    assert.deepEqual(decision.action === 'conflict' && decision.reasons?.map((r) => `${r.path} ${r.rule}`), [
      'jobId auth.cancel_not_allowed',
    ]);
    const operator = [{ senderId: 'AROABOB:*', owners: [], cancelAny: true }];
    assert.equal(
      decideOnExisting(tombstone, 'ours', { owner: 'carol', principals: operator }).action,
      'done',
    );
  });
});

describe('what Kubernetes answered', () => {
  it('a PodSecurity warning is a refusal with its text; other warnings are not', () => {
    assert.equal(podSecurityRefusal(['deprecated field']), undefined);
    assert.deepEqual(
      podSecurityRefusal(['other', 'would violate PodSecurity "restricted:latest": hostPort']),
      {
        rule: 'kube.pod_security',
        message: 'would violate PodSecurity "restricted:latest": hostPort',
      },
    );
  });

  it('a 409 on our own Job is ours; on another request hash a conflict; on no Job, gone', () => {
    assert.deepEqual(judgeExistingJob(jobWithHash('ours'), 'ours', ref), { kind: 'ours' });
    assert.deepEqual(judgeExistingJob(jobWithHash('theirs'), 'ours', ref), {
      kind: 'conflict',
      refusal: {
        rule: 'kube.name_conflict',
        message: 'Job jobs/job-1-abc exists with another request hash (theirs)',
      },
    });
    const none = judgeExistingJob(jobWithHash(), 'ours', ref);
    assert.match(none.kind === 'conflict' ? none.refusal.message : '', /\(none\)$/);
    assert.deepEqual(judgeExistingJob(undefined, 'ours', ref), { kind: 'gone' });
  });

  it('a permanent failure is refused with its rule and the API message', () => {
    assert.deepEqual(failureRefusal({ status: 422, reason: 'Invalid', message: 'spec: bad' }), {
      rule: 'kube.invalid',
      message: 'spec: bad',
    });
  });
});

describe('the refusal record', () => {
  const refusal = { rule: 'kube.forbidden', message: 'denied by policy' };

  it('moves the record to REJECTED with the reason, the message and a TTL', () => {
    const next = refusedRecord(submitted(), refusal, {
      at: '2026-01-01T00:00:10.000Z',
      retentionSeconds: 60,
    });
    assert.equal(next?.state, 'REJECTED');
    assert.equal(next?.reason, 'KubernetesRefused');
    assert.equal(next?.message, 'denied by policy');
    assert.deepEqual(next?.reasons, [{ path: '', rule: 'kube.forbidden', message: 'denied by policy' }]);
    assert.equal(next?.version, 2);
    assert.equal(next?.expiresAt, Date.parse('2026-01-01T00:00:10.000Z') / 1000 + 60);
  });

  it('leaves a record that became terminal meanwhile', () => {
    assert.equal(
      refusedRecord(submitted({ state: 'CANCELLED' }), refusal, { at, retentionSeconds: 60 }),
      undefined,
    );
  });
});

describe('the conflict notice', () => {
  it("names the jobId and the state it holds, then the request's own reasons", () => {
    const own = { path: 'retries', rule: 'schema.too_small', message: 'too small' };
    const reasons = conflictReasons('job-1', submitted({ state: 'RUNNING' }), [own]);
    assert.equal(reasons[0]?.rule, 'request.conflict');
    assert.equal(reasons[0]?.path, 'jobId');
    assert.match(reasons[0]?.message ?? '', /job-1 .*state RUNNING/);
    assert.deepEqual(reasons.slice(1), [own]);
  });
});

describe('the Job a record names', () => {
  it('a submitted record names its Job; a tombstone none', () => {
    assert.deepEqual(jobOf(submitted()), ref);
    assert.equal(jobOf(tombstone), undefined);
  });

  it('a cancel plan carries the Job to delete', () => {
    const ctx = { at, sourceMessageId: 'c-1', retentionSeconds: 3600 };
    const request = { version: 1 as const, action: 'cancel' as const, jobId: 'job-1', requestedBy: 'bob' };
    const cancel = planCancel(submitted(), request, ctx);
    assert.deepEqual(cancel.action === 'cancel' && cancel.job, ref);
    const again = planCancel(submitted({ state: 'CANCELLED' }), request, ctx);
    assert.deepEqual(again.action === 'already-cancelled' && again.job, ref);
    const none = planCancel(tombstone, request, ctx);
    assert.equal(none.action === 'already-cancelled' && none.job, undefined);
  });
});
