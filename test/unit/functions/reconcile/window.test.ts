import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { windowOf } from '../../../../functions/reconcile/window.ts';
import { FUNCTIONS } from '../../../../shared/resources.ts';

const { scheduleSeconds, handoffSeconds, finishReserveSeconds } = FUNCTIONS.reconcile;
const firedAt = '2026-12-02T10:00:00Z';
const fired = Date.parse(firedAt);
const base = { windowMs: 58_000, handoff: true, firedAt, remainingMs: 88_000 };

describe('windowOf', () => {
  it('ends the window handoffSeconds before the next firing', () => {
    const now = fired + 700;
    assert.equal(windowOf({ ...base, now }), (scheduleSeconds - handoffSeconds) * 1000 - 700);
  });

  it('gives a late firing what is left of its period, and none once it is over', () => {
    assert.equal(windowOf({ ...base, now: fired + 40_000 }), (scheduleSeconds - handoffSeconds - 40) * 1000);
    assert.equal(windowOf({ ...base, now: fired + 70_000 }), 0);
  });

  it('never runs into the timeout, and is the configured window without the handoff', () => {
    assert.equal(
      windowOf({ ...base, remainingMs: 30_000, now: fired }),
      30_000 - finishReserveSeconds * 1000,
    );
    assert.equal(windowOf({ ...base, handoff: false, windowMs: 50_000, now: fired + 40_000 }), 50_000);
    assert.equal(windowOf({ ...base, firedAt: undefined, now: fired + 40_000 }), 58_000);
  });
});
