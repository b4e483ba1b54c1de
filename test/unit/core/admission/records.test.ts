import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  admittedRecord,
  queuedRecord,
  resumedRecord,
  suspendedRecord,
} from '../../../../shared/core/admission/records.ts';
import { releasesCharge, takesCharge } from '../../../../shared/core/admission/types.ts';
import { changeEvent } from '../../../../shared/core/job/events.ts';
import { canTransition } from '../../../../shared/core/job/state.ts';
import { transition } from '../../../../shared/core/job/transition.ts';
import { planJob } from '../../../../shared/core/reconcile/plan.ts';
import { submittedRecord } from '../../../../shared/core/submit/records.ts';
import { decideOnExisting } from '../../../../shared/core/submit/submit-plan.ts';
import { at, cond, job } from '../reconcile/fixtures.ts';

const admission = {
  charge: { jobs: 1, cpu: 250, memory: 1, gpu: 0 },
  scopes: ['owner#a' as const],
  priority: 0,
  queuedAt: at(0),
};
const fresh = () =>
  queuedRecord(
    submittedRecord({
      jobId: 'id-job-a',
      owner: 'a',
      at: at(0),
      namespace: 'jobs',
      jobName: 'job-a',
      requestHash: 'hash-1',
      request: {},
      sourceMessageId: 'm',
    }),
    admission,
  );

describe('admission records', () => {
  test('queued, admitted, finished: the charge is taken by one write and given back by one', () => {
    const queued = fresh();
    assert.deepEqual(
      [queued.state, queued.reason, queued.history.map((h) => h.state)],
      ['QUEUED', 'Queued', ['SUBMITTED', 'QUEUED']],
    );
    const admitted = admittedRecord(queued, at(5)) as NonNullable<ReturnType<typeof admittedRecord>>;
    assert.equal(admitted.state, 'PENDING');
    assert.equal(admitted.message, 'admitted after 5s in the queue');
    assert.ok(takesCharge(admitted) && !releasesCharge(admitted));
    const running = transition(admitted, { state: 'RUNNING', at: at(6) });
    assert.ok(
      running && !takesCharge(running) && !releasesCharge(running),
      'a later write neither takes nor gives',
    );
    const done = transition(running, { state: 'SUCCEEDED', at: at(9), retentionSeconds: 60 });
    assert.ok(done && releasesCharge(done));
    assert.equal(done.admission?.heldAtVersion, undefined);
  });

  test('a queued record is never admitted twice, nor while suspended', () => {
    const admitted = admittedRecord(fresh(), at(1));
    assert.equal(admitted && admittedRecord(admitted, at(2)), undefined);
    const suspension = { by: 'ops', at: at(1) };
    const suspended = suspendedRecord(fresh(), suspension, admission);
    assert.equal(suspended && admittedRecord(suspended, at(2)), undefined);
  });

  test('suspending an admitted job gives its charge back and queues it anew; resume clears the suspension', () => {
    const admitted = admittedRecord(fresh(), at(1)) as NonNullable<ReturnType<typeof admittedRecord>>;
    const suspended = suspendedRecord(admitted, { by: 'ops', reason: 'maintenance', at: at(30) }, admission);
    assert.ok(suspended && releasesCharge(suspended));
    assert.deepEqual(
      [suspended.state, suspended.reason, suspended.admission?.queuedAt],
      ['QUEUED', 'Suspended', at(30)],
    );
    assert.ok(canTransition('RUNNING', 'QUEUED'));
    const resumed = resumedRecord(suspended, at(40));
    assert.deepEqual([resumed?.state, resumed?.suspension, resumed?.reason], ['QUEUED', undefined, 'Queued']);
    assert.ok(resumed && admittedRecord(resumed, at(41)));
  });

  test('reconcile never moves a queued job on what its suspended Job shows, only on its end', () => {
    const queued = fresh();
    assert.deepEqual(planJob(queued, job('job-a', {}), [], undefined, at(3)), { kind: 'none' });
    const finished = planJob(
      queued,
      job('job-a', { conditions: [cond('Complete')], succeeded: 1 }),
      [],
      undefined,
      at(3),
    );
    assert.equal(finished.kind === 'replace' && finished.record.state, 'SUCCEEDED');
  });

  test('a redelivered submit re-creates the Job of a queued or admitted record (a 409 is success)', () => {
    const queued = fresh();
    const who = { owner: 'a', principals: [] };
    assert.equal(decideOnExisting(queued, 'hash-1', who).action, 'create-job');
    const admitted = admittedRecord(queued, at(1));
    assert.equal(admitted && decideOnExisting(admitted, 'hash-1', who).action, 'create-job');
  });

  test('events: QUEUED when written, then PENDING Admitted', () => {
    const queued = fresh();
    assert.deepEqual(
      [changeEvent(undefined, queued)?.detail.state, changeEvent(undefined, queued)?.detail.previousState],
      ['QUEUED', undefined],
    );
    const admitted = admittedRecord(queued, at(1));
    const event = changeEvent(queued, admitted);
    assert.deepEqual(
      [event?.detail.state, event?.detail.previousState, event?.detail.reason],
      ['PENDING', 'QUEUED', 'Admitted'],
    );
  });
});
