import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Job } from '@kubernetes/client-node';
import { planJob } from '../../../../shared/core/reconcile/plan.ts';
import { isQuiet, observedOf } from '../../../../shared/core/reconcile/quiet.ts';
import { cond, job, record } from './fixtures.ts';

const at = (resourceVersion: string, status = { active: 1, ready: 1 }): V1Job => {
  const j = job('job-a', status);
  j.metadata = { ...j.metadata, resourceVersion };
  return j;
};
const running = (observed = { resourceVersion: '7', version: 3 }, version = 3) =>
  record('RUNNING', { version, observed });

describe('isQuiet: a listed Job that changed nothing since its record was written', () => {
  it('a running record written from this very Job object, by the last write', () => {
    assert.equal(isQuiet(running(), at('7')), true);
  });

  it('not when the Job changed since (another resourceVersion), or has none', () => {
    assert.equal(isQuiet(running(), at('8')), false);
    const none = at('7');
    delete none.metadata?.resourceVersion;
    assert.equal(isQuiet(running(), none), false);
  });

  it('not when another writer wrote since (the version moved past the observed one)', () => {
    assert.equal(isQuiet(running({ resourceVersion: '7', version: 3 }, 4), at('7')), false);
  });

  it('not without an observed Job (a record submit wrote, or from before v1.3)', () => {
    assert.equal(isQuiet(record('RUNNING', { version: 3 }), at('7')), false);
  });

  it('never a PENDING or SUBMITTED record: pods and time move them, not the Job', () => {
    const observed = { resourceVersion: '7', version: 3 };
    for (const state of ['PENDING', 'SUBMITTED', 'QUEUED'] as const)
      assert.equal(isQuiet(record(state, { version: 3, observed }), at('7')), false, state);
  });

  it('not when the pods are needed: no readiness, a terminal condition, a deletion', () => {
    assert.equal(isQuiet(running(), at('7', { active: 1, ready: 0 })), false);
    const done = at('7', { succeeded: 1, conditions: [cond('Complete', 'CompletionsReached')] } as never);
    assert.equal(isQuiet(running(), done), false);
    const deleting = at('7');
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: new Date() };
    assert.equal(isQuiet(running(), deleting), false);
  });

  it('not when the Job is suspended: that is for the suspension check to align', () => {
    const suspended = at('7');
    suspended.spec = { ...suspended.spec, template: suspended.spec?.template ?? {}, suspend: true };
    assert.equal(isQuiet(running(), suspended), false);
  });
});

describe('planJob records what it observed', () => {
  it('the Job resourceVersion it planned on and the version it writes', () => {
    const plan = planJob(
      record('SUBMITTED', { version: 4 }),
      at('41'),
      [],
      undefined,
      new Date().toISOString(),
    );
    assert.equal(plan.kind, 'replace');
    if (plan.kind !== 'replace') return;
    assert.deepEqual(plan.record.observed, { resourceVersion: '41', version: 5 });
    // So the next pass that lists the same object leaves it be.
    assert.equal(isQuiet(plan.record, at('41')), true);
  });

  it('drops an observed Job carried over from an earlier write when the Job has no resourceVersion', () => {
    const j = at('1');
    delete j.metadata?.resourceVersion;
    const before = record('SUBMITTED', { observed: { resourceVersion: '0', version: 0 } });
    const plan = planJob(before, j, [], undefined, new Date().toISOString());
    assert.equal(plan.kind === 'replace' && plan.record.observed, undefined);
    assert.equal(observedOf(j, 2), undefined);
  });
});
