import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  changeEvent,
  EVENT_SOURCE,
  STATE_CHANGE_DETAIL_TYPE,
  stateChangeEvent,
} from '../../../../shared/core/job/events.ts';
import { tailUtf8, truncateUtf8 } from '../../../../shared/core/text.ts';
import { at, record } from '../reconcile/fixtures.ts';

describe('stateChangeEvent', () => {
  it('builds a versioned "Job State Change" event with a result summary', () => {
    const prev = record('RUNNING');
    const next = record('FAILED', {
      version: 3,
      updatedAt: at(9),
      reason: 'BackoffLimitExceeded',
      message: 'm'.repeat(5000),
      result: {
        attempts: 2,
        succeeded: 0,
        failed: 2,
        durationSeconds: 9,
        pods: [{ podName: 'p', exitCode: 3, message: 'boom', logTail: 'log' }],
      },
    });
    const event = stateChangeEvent(next, prev);
    assert.equal(event.source, EVENT_SOURCE);
    assert.equal(event.detailType, STATE_CHANGE_DETAIL_TYPE);
    assert.equal(event.time, at(9));
    assert.equal(event.detail.schemaVersion, '1');
    assert.equal(event.detail.previousState, 'RUNNING');
    assert.equal(event.detail.state, 'FAILED');
    assert.equal(event.detail.terminal, true);
    assert.equal(event.detail.version, 3);
    assert.equal(event.detail.message?.length, 1024);
    assert.deepEqual(event.detail.result, {
      attempts: 2,
      succeeded: 0,
      failed: 2,
      exitCode: 3,
      durationSeconds: 9,
    });
    assert.ok(!JSON.stringify(event.detail).includes('logTail'));
  });

  it('marks adoption and omits previousState', () => {
    const event = stateChangeEvent(record('RUNNING'), undefined, true);
    assert.equal(event.detail.adopted, true);
    assert.equal('previousState' in event.detail, false);
  });
});

describe('changeEvent: the event a write deserves', () => {
  const pending = (flagged?: boolean) => ({
    reason: 'Unschedulable',
    since: at(1),
    ...(flagged && { flagged }),
  });

  it('a state change: from the record before to the one after, with an id per transition', () => {
    const event = changeEvent(record('PENDING', { version: 2 }), record('RUNNING', { version: 3 }));
    assert.equal(event?.detail.previousState, 'PENDING');
    assert.equal(event?.detail.state, 'RUNNING');
    assert.equal(event?.detail.eventId, 'id-job-a#3');
    assert.equal(event?.detail.adopted, undefined);
  });

  it('a new record in a state of its own (a rejection, a tombstone, an adoption); not SUBMITTED', () => {
    assert.equal(changeEvent(undefined, record('SUBMITTED')), undefined);
    const rejected = changeEvent(undefined, record('REJECTED'));
    assert.equal(rejected?.detail.state, 'REJECTED');
    assert.equal('previousState' in (rejected?.detail ?? {}), false);
    const history = [{ state: 'SUBMITTED' as const, at: at(0), reason: 'Adopted' }];
    assert.equal(changeEvent(undefined, record('RUNNING', { history }))?.detail.adopted, true);
  });

  it('a job newly flagged as pending too long, once; nothing while it stays flagged', () => {
    const before = record('PENDING', { pending: pending() });
    const flagged = record('PENDING', { version: 2, pending: pending(true) });
    assert.equal(changeEvent(before, flagged)?.detail.pending?.flagged, true);
    assert.equal(changeEvent(flagged, { ...flagged, version: 3 }), undefined);
  });

  it('nothing for a write that keeps the state, nor for a delete (TTL)', () => {
    assert.equal(
      changeEvent(record('RUNNING'), record('RUNNING', { version: 2, message: 'new' })),
      undefined,
    );
    assert.equal(changeEvent(record('SUCCEEDED'), undefined), undefined);
  });
});

describe('text bounds', () => {
  it('truncates on character boundaries', () => {
    assert.equal(truncateUtf8('aé', 2), 'a');
    assert.equal(truncateUtf8('abc', 10), 'abc');
    assert.equal(tailUtf8('one\ntwo\nthree', 9), 'three');
    assert.equal(tailUtf8('€€€', 4), '€');
  });
});
