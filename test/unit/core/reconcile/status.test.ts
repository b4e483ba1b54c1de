import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveJobStatus, needsPods } from '../../../../shared/core/reconcile/status.ts';
import { cond, job, pod, terminated } from './fixtures.ts';

describe('deriveJobStatus: conditions', () => {
  it('Complete -> SUCCEEDED with the condition reason', () => {
    const s = deriveJobStatus(
      job('a', {
        succeeded: 1,
        conditions: [cond('SuccessCriteriaMet'), cond('Complete', 'CompletionsReached')],
      }),
    );
    assert.deepEqual([s.state, s.reason], ['SUCCEEDED', 'CompletionsReached']);
  });

  for (const [reason, state] of [
    ['BackoffLimitExceeded', 'FAILED'],
    ['PodFailurePolicy', 'FAILED'],
    ['MaxFailedIndexesExceeded', 'FAILED'],
    ['FailedIndexes', 'FAILED'],
    ['DeadlineExceeded', 'TIMED_OUT'],
  ] as const) {
    it(`Failed/${reason} -> ${state}`, () => {
      const s = deriveJobStatus(
        job('a', {
          failed: 1,
          conditions: [cond('FailureTarget', reason), cond('Failed', reason, 'the message')],
        }),
      );
      assert.deepEqual([s.state, s.reason, s.message], [state, reason, 'the message']);
    });
  }

  it('a condition that is not True does not count', () => {
    const s = deriveJobStatus(
      job('a', { active: 1, ready: 1, conditions: [{ type: 'Failed', status: 'False' }] }),
    );
    assert.equal(s.state, 'RUNNING');
  });

  it('FailureTarget alone keeps the job active with that reason (pods still terminating)', () => {
    const s = deriveJobStatus(
      job('a', { active: 1, ready: 1, conditions: [cond('FailureTarget', 'PodFailurePolicy', 'exit 42')] }),
    );
    assert.deepEqual([s.state, s.reason], ['RUNNING', 'FailureTarget']);
  });

  it('SuccessCriteriaMet alone keeps the job active', () => {
    const s = deriveJobStatus(job('a', { active: 0, conditions: [cond('SuccessCriteriaMet')] }));
    assert.deepEqual([s.state, s.reason], ['PENDING', 'SuccessCriteriaMet']);
  });

  it('Suspended -> PENDING with reason Suspended', () => {
    const s = deriveJobStatus(job('a', { conditions: [cond('Suspended', 'JobSuspended', 'Job suspended')] }));
    assert.equal(s.state, 'PENDING');
    assert.deepEqual(s.pending, { reason: 'Suspended', message: 'Job suspended' });
  });
});

describe('deriveJobStatus: counters and pods', () => {
  it('ready pods -> RUNNING, without looking at pods', () => {
    assert.equal(deriveJobStatus(job('a', { active: 2, ready: 1 })).state, 'RUNNING');
    assert.equal(needsPods(job('a', { active: 2, ready: 1 })), false);
  });

  it('active, none ready -> PENDING with the scheduler message of an unschedulable pod', () => {
    const j = job('a', { active: 1, ready: 0 });
    assert.equal(needsPods(j), true);
    const s = deriveJobStatus(j, [
      pod('p1', {
        scheduled: {
          status: 'False',
          reason: 'Unschedulable',
          message: "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector.",
        },
      }),
    ]);
    assert.equal(s.state, 'PENDING');
    assert.equal(s.pending?.reason, 'Unschedulable');
    assert.match(s.pending?.message ?? '', /0\/4 nodes are available/);
  });

  for (const reason of [
    'ErrImagePull',
    'ImagePullBackOff',
    'CreateContainerConfigError',
    'ContainerCreating',
  ]) {
    it(`a waiting container's ${reason} is the pending reason`, () => {
      const s = deriveJobStatus(job('a', { active: 1, ready: 0 }), [
        pod('p1', {
          scheduled: { status: 'True' },
          state: { waiting: { reason, message: `detail of ${reason}` } },
        }),
      ]);
      assert.deepEqual(s.pending, { reason, message: `detail of ${reason}` });
    });
  }

  it('the newest active pod speaks for the job', () => {
    const s = deriveJobStatus(job('a', { active: 1, failed: 1 }), [
      pod('old', { created: 0, phase: 'Failed', state: terminated(1) }),
      pod('new', {
        created: 5,
        scheduled: { status: 'True' },
        state: { waiting: { reason: 'ErrImagePull' } },
      }),
    ]);
    assert.equal(s.pending?.reason, 'ErrImagePull');
  });

  it('a running container counts as RUNNING when the Job has no ready count', () => {
    const s = deriveJobStatus(job('a', { active: 1 }), [
      pod('p', { phase: 'Running', state: { running: {} } }),
    ]);
    assert.equal(s.state, 'RUNNING');
  });

  it('no active pod after a failure -> PENDING BackoffDelay with the last failure', () => {
    const j = job('a', { active: 0, failed: 1 });
    assert.equal(needsPods(j), true);
    const s = deriveJobStatus(j, [pod('p', { phase: 'Failed', state: terminated(3, 'disk full') })]);
    assert.equal(s.pending?.reason, 'BackoffDelay');
    assert.match(s.pending?.message ?? '', /exit code 3: disk full/);
  });

  it('a Job without pods yet -> PENDING PodsNotCreated', () => {
    const j = job('a', {});
    assert.equal(needsPods(j), false);
    assert.equal(deriveJobStatus(j).pending?.reason, 'PodsNotCreated');
  });

  it('a finished Job needs its pods (results)', () => {
    assert.equal(needsPods(job('a', { conditions: [cond('Complete')] })), true);
  });

  it('messages are bounded', () => {
    const s = deriveJobStatus(
      job('a', { conditions: [cond('Failed', 'BackoffLimitExceeded', 'x'.repeat(10_000))] }),
    );
    assert.equal(s.message?.length, 1024);
  });
});
