import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Job } from '@kubernetes/client-node';
import { FINALIZER } from '../../../../shared/core/job/labels.ts';
import { isSettled, settledStateOf } from '../../../../shared/core/reconcile/settled.ts';
import { finishedJob, record } from './fixtures.ts';

const finished = (mark?: string, finalizers?: string[]): V1Job => finishedJob('job-a', mark, finalizers);

describe('isSettled: a listed Job whose record the resync may take as terminal unread', () => {
  it('marked, released and without an active entry', () => {
    assert.equal(isSettled(finished('SUCCEEDED'), undefined), true);
    assert.equal(settledStateOf(finished('CANCELLED')), 'CANCELLED');
  });

  it('not without the mark: an orphan, or a Job released by hand or before the mark', () => {
    assert.equal(isSettled(finished(), undefined), false);
  });

  it('not with a value that is no terminal state', () => {
    assert.equal(settledStateOf(finished('RUNNING')), undefined);
    assert.equal(isSettled(finished('yes'), undefined), false);
  });

  it('not while the Job holds our finalizer, whatever else it holds', () => {
    assert.equal(isSettled(finished('SUCCEEDED', ['other.io/x', FINALIZER]), undefined), false);
    assert.equal(isSettled(finished('SUCCEEDED', ['other.io/x']), undefined), true);
  });

  it('not when its record has an active entry (made active again)', () => {
    assert.equal(isSettled(finished('SUCCEEDED'), record('SUBMITTED')), false);
  });
});
