import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HISTORY_LIMIT } from '../../../../shared/core/job/record.ts';
import {
  adoptedRecord,
  DEFAULT_RECONCILE_CONFIG,
  planJob,
  planMissing,
} from '../../../../shared/core/reconcile/plan.ts';
import { at, cond, job, pod, record, T0, terminated } from './fixtures.ts';

const config = { ...DEFAULT_RECONCILE_CONFIG, pendingLimitSeconds: 60, retentionSeconds: 86400 };
const unschedulable = [
  pod('p', { scheduled: { status: 'False', reason: 'Unschedulable', message: 'no node fits' } }),
];

describe('planJob', () => {
  it('writes nothing when nothing changed', () => {
    const r = record('RUNNING');
    assert.deepEqual(
      planJob(r, job('job-a', { active: 1, ready: 1 }), undefined, undefined, at(30), config),
      { kind: 'none' },
    );
  });

  it('moves SUBMITTED -> RUNNING with a history entry and a new version and shard', () => {
    const plan = planJob(
      record('SUBMITTED'),
      job('job-a', { active: 1, ready: 1 }),
      undefined,
      undefined,
      at(30),
      config,
    );
    assert.equal(plan.kind, 'replace');
    if (plan.kind !== 'replace') return;
    assert.equal(plan.stateChanged, true);
    assert.equal(plan.record.version, 2);
    assert.equal(plan.record.state, 'RUNNING');
    assert.match(plan.record.statusShard, /^RUNNING#\d$/);
    assert.deepEqual(plan.record.history.at(-1), {
      state: 'RUNNING',
      at: at(30),
      reason: undefined,
      message: undefined,
    });
  });

  it('never writes over a terminal record', () => {
    for (const state of ['SUCCEEDED', 'FAILED', 'CANCELLED', 'LOST'] as const) {
      const plan = planJob(
        record(state),
        job('job-a', { active: 1, ready: 1 }),
        undefined,
        undefined,
        at(30),
        config,
      );
      assert.deepEqual(plan, { kind: 'none' });
    }
  });

  it('records the pending reason and keeps `since` while the job stays pending', () => {
    const first = planJob(
      record('SUBMITTED'),
      job('job-a', { active: 1, ready: 0 }),
      unschedulable,
      undefined,
      at(10),
      config,
    );
    assert.equal(first.kind, 'replace');
    if (first.kind !== 'replace') return;
    assert.deepEqual(first.record.pending, {
      reason: 'Unschedulable',
      message: 'no node fits',
      since: at(10),
    });
    // Same reason later: no write.
    assert.deepEqual(
      planJob(first.record, job('job-a', { active: 1, ready: 0 }), unschedulable, undefined, at(20), config),
      { kind: 'none' },
    );
    // Past the limit: flagged once (a detail change, no history entry), then quiet again.
    const flagged = planJob(
      first.record,
      job('job-a', { active: 1, ready: 0 }),
      unschedulable,
      undefined,
      at(80),
      config,
    );
    assert.equal(flagged.kind, 'replace');
    if (flagged.kind !== 'replace') return;
    assert.equal(flagged.stateChanged, false);
    assert.deepEqual(flagged.record.pending, {
      reason: 'Unschedulable',
      message: 'no node fits',
      since: at(10),
      flagged: true,
    });
    assert.equal(flagged.record.history.length, first.record.history.length);
    assert.deepEqual(
      planJob(
        flagged.record,
        job('job-a', { active: 1, ready: 0 }),
        unschedulable,
        undefined,
        at(90),
        config,
      ),
      { kind: 'none' },
    );
  });

  it('fails a job pending past the limit when asked to, and deletes its Job', () => {
    const pending = record('PENDING', {
      pending: { reason: 'Unschedulable', message: 'no node fits', since: at(0) },
    });
    const plan = planJob(pending, job('job-a', { active: 1 }), unschedulable, undefined, at(61), {
      ...config,
      failOnPending: true,
    });
    assert.equal(plan.kind, 'replace');
    if (plan.kind !== 'replace') return;
    assert.equal(plan.record.state, 'FAILED');
    assert.equal(plan.record.reason, 'PendingTimeout');
    assert.match(plan.record.message ?? '', /pending for 61s \(limit 60s\): Unschedulable: no node fits/);
    assert.equal(plan.deleteJob, true);
    assert.equal(plan.record.expiresAt, Math.floor(Date.parse(at(61)) / 1000) + 86400);
  });

  it('a terminal write carries the result and the TTL', () => {
    const j = job('job-a', {
      succeeded: 1,
      startTime: new Date(at(0)),
      completionTime: new Date(at(9)),
      conditions: [cond('Complete', 'CompletionsReached', undefined, at(9))],
    });
    const plan = planJob(
      record('RUNNING'),
      j,
      [pod('p', { phase: 'Succeeded', state: terminated(0, 'ok') })],
      new Map([['p', { tail: 'bye' }]]),
      at(10),
      config,
    );
    assert.equal(plan.kind, 'replace');
    if (plan.kind !== 'replace') return;
    assert.equal(plan.record.state, 'SUCCEEDED');
    assert.equal(plan.record.result?.pods[0]?.logTail, 'bye');
    assert.equal(plan.record.expiresAt, Math.floor(Date.parse(at(10)) / 1000) + 86400);
    assert.equal(plan.record.pending, undefined);
  });

  it('RUNNING -> PENDING on a retry is allowed (a new pod waits)', () => {
    const plan = planJob(
      record('RUNNING'),
      job('job-a', { active: 1, failed: 1 }),
      [pod('p2', { scheduled: { status: 'True' }, state: { waiting: { reason: 'ContainerCreating' } } })],
      undefined,
      at(5),
      config,
    );
    assert.equal(plan.kind, 'replace');
    if (plan.kind === 'replace') assert.equal(plan.record.state, 'PENDING');
  });

  it('adopts an orphan Job from its labels and annotations', () => {
    const plan = planJob(
      undefined,
      job('job-z', { active: 1, ready: 1 }, { jobId: 'orphan-1', owner: 'team-z' }),
      undefined,
      undefined,
      at(3),
      config,
    );
    assert.equal(plan.kind, 'create');
    if (plan.kind !== 'create') return;
    assert.equal(plan.record.jobId, 'orphan-1');
    assert.equal(plan.record.owner, 'team-z');
    assert.equal(plan.record.state, 'RUNNING');
    assert.equal(plan.record.version, 1);
    assert.equal(plan.record.createdAt, T0);
    assert.equal(plan.record.jobName, 'job-z');
    assert.equal(plan.record.requestHash, 'hash-1');
    assert.deepEqual(
      plan.record.history.map((h) => h.state),
      ['SUBMITTED', 'RUNNING'],
    );
    assert.equal(plan.record.history[0]?.reason, 'Adopted');
  });

  it('adopts a finished orphan straight into its terminal state', () => {
    const plan = planJob(
      undefined,
      job('job-z', { failed: 1, conditions: [cond('Failed', 'BackoffLimitExceeded')] }),
      [],
      undefined,
      at(3),
      config,
    );
    assert.equal(plan.kind, 'create');
    if (plan.kind === 'create') assert.equal(plan.record.state, 'FAILED');
  });

  it('adoption without a jobId annotation falls back to the job-key label', () => {
    const j = job('job-q');
    delete j.metadata?.annotations?.['eks-job-runner.io/job-id'];
    assert.equal(adoptedRecord(j, at(1)).jobId, 'job-q');
  });

  it('history stays bounded', () => {
    let r = record('RUNNING', {
      history: Array.from({ length: HISTORY_LIMIT }, (_, i) => ({ state: 'RUNNING' as const, at: at(i) })),
    });
    const plan = planJob(
      r,
      job('job-a', { active: 1 }),
      [pod('p', { scheduled: { status: 'True' }, state: { waiting: { reason: 'ContainerCreating' } } })],
      undefined,
      at(100),
      config,
    );
    assert.equal(plan.kind, 'replace');
    if (plan.kind === 'replace') r = plan.record;
    assert.equal(r.history.length, HISTORY_LIMIT);
    assert.equal(r.history.at(-1)?.state, 'PENDING');
  });
});

describe('planMissing', () => {
  it('marks an active record LOST once the grace has passed', () => {
    const r = record('RUNNING');
    assert.deepEqual(planMissing(r, at(0), at(config.lostGraceSeconds - 1), config), { kind: 'none' });
    const plan = planMissing(r, at(0), at(config.lostGraceSeconds), config);
    assert.equal(plan.kind, 'replace');
    if (plan.kind === 'replace') {
      assert.equal(plan.record.state, 'LOST');
      assert.equal(plan.record.reason, 'JobDeleted');
      assert.ok(plan.record.expiresAt);
    }
  });

  it('never touches a terminal record', () => {
    assert.deepEqual(planMissing(record('SUCCEEDED'), at(0), at(3600), config), { kind: 'none' });
    assert.deepEqual(planMissing(record('CANCELLED'), at(0), at(3600), config), { kind: 'none' });
  });

  it("gives a SUBMITTED record the submit path's retry time before LOST", () => {
    const r = record('SUBMITTED');
    assert.deepEqual(planMissing(r, at(0), at(600), config), { kind: 'none' }, 'still being delivered');
    const plan = planMissing(r, at(0), at(config.submittedGraceSeconds + 1), config);
    assert.equal(plan.kind === 'replace' && plan.record.reason, 'JobNotFound');
  });

  it('keeps a SUBMITTED record whose request went to the DLQ SUBMITTED, saying why, until no delivery is left', () => {
    assert.ok(config.submittedGraceSeconds >= 18 * 86400, 'the queue keeps a message 4 days, the DLQ 14');
    const r = record('SUBMITTED');
    const waiting = planMissing(r, at(0), at(3600), config);
    assert.equal(waiting.kind, 'replace');
    if (waiting.kind !== 'replace') return;
    assert.equal(waiting.record.state, 'SUBMITTED');
    assert.equal(waiting.record.reason, 'AwaitingJob');
    assert.match(waiting.record.message ?? '', /dead-letter queue for a redrive/);
    assert.equal(waiting.stateChanged, false);
    assert.deepEqual(waiting.record.history, r.history, 'no transition: no history entry');
    assert.deepEqual(planMissing(waiting.record, at(0), at(7200), config), { kind: 'none' }, 'said once');
  });
});
