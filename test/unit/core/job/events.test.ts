import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
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

describe('text bounds', () => {
  it('truncates on character boundaries', () => {
    assert.equal(truncateUtf8('aé', 2), 'a');
    assert.equal(truncateUtf8('abc', 10), 'abc');
    assert.equal(tailUtf8('one\ntwo\nthree', 9), 'three');
    assert.equal(tailUtf8('€€€', 4), '€');
  });
});
