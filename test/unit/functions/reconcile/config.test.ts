import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSettings } from '../../../../functions/reconcile/config.ts';

const base = { JOBS_TABLE_NAME: 't', JOBS_NAMESPACES: 'jobs, jobs-extra' };

describe('reconcile settings from the environment', () => {
  it('reads the required names and applies the defaults', () => {
    const s = readSettings(base);
    assert.deepEqual(s.namespaces, ['jobs', 'jobs-extra']);
    assert.equal(s.windowMs, 58_000);
    assert.equal(s.handoff, true);
    assert.equal(s.logTailLines, 50);
    assert.equal(s.config.pendingLimitSeconds, 900);
    assert.equal(s.config.failOnPending, false);
    assert.equal(s.config.retentionSeconds, 30 * 86400);
    assert.equal(s.config.limits.logTailBytes, 4096);
  });

  it('reads the optional settings', () => {
    const s = readSettings({
      ...base,
      RECONCILE_WINDOW_SECONDS: '20',
      PENDING_LIMIT_SECONDS: '60',
      FAIL_ON_PENDING: 'true',
      RETENTION_DAYS: '20',
      LOG_TAIL_LINES: '0',
      LOG_TAIL_BYTES: '1024',
      LOST_GRACE_SECONDS: '5',
      SUBMITTED_GRACE_SECONDS: '600',
      RECONCILE_HANDOFF: 'false',
    });
    assert.equal(s.handoff, false);
    assert.equal(s.windowMs, 20_000);
    assert.equal(s.config.failOnPending, true);
    assert.equal(s.config.retentionSeconds, 20 * 86400);
    assert.equal(s.logTailLines, 0);
    assert.equal(s.config.limits.logTailBytes, 1024);
    assert.equal(s.config.lostGraceSeconds, 5);
    assert.equal(s.config.submittedGraceSeconds, 600);
  });

  it('refuses missing or malformed values', () => {
    assert.throws(() => readSettings({ ...base, JOBS_TABLE_NAME: '' }), /JOBS_TABLE_NAME is required/);
    assert.throws(
      () => readSettings({ ...base, RECONCILE_WINDOW_SECONDS: 'soon' }),
      /RECONCILE_WINDOW_SECONDS/,
    );
    assert.throws(() => readSettings({ ...base, FAIL_ON_PENDING: 'maybe' }), /FAIL_ON_PENDING/);
    assert.throws(() => readSettings({ ...base, JOBS_NAMESPACES: ' , ' }), /no namespace/);
    // A record must outlive every delivery of its request: the queue's 4 days plus the DLQ's 14.
    assert.throws(
      () => readSettings({ ...base, RETENTION_DAYS: '7' }),
      /RETENTION_DAYS must be a number from 18/,
    );
  });
});
