// The schedule runner, invoking a real esbuild bundle (no AWS needed).

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ScheduledEvent } from 'aws-lambda';
import type { LambdaHandler } from '../../../infra/local/runtime/invoke.ts';
import { loadBundle } from '../../../infra/local/runtime/load-bundle.ts';
import {
  runSchedule,
  type ScheduledInvocationReport,
  type ScheduleRunnerOptions,
} from '../../../infra/local/runtime/schedule-runner.ts';
import { buildFixtureBundle, fixtureControl, maxOverlap, waitFor } from './harness.ts';

let bundleDir: string;
let handler: LambdaHandler<ScheduledEvent, unknown>;
const control = fixtureControl();

before(async () => {
  const bundle = await buildFixtureBundle();
  bundleDir = bundle.dir;
  handler = await loadBundle<ScheduledEvent>(bundle.file);
});

after(() => {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

beforeEach(() => {
  control.invocations.length = 0;
  control.slowMs = 0;
});

function startSchedule(options: Partial<ScheduleRunnerOptions> = {}) {
  const stopper = new AbortController();
  const reports: ScheduledInvocationReport[] = [];
  const skipped: string[] = [];
  const startedAt = Date.now();
  const running = runSchedule({
    handler,
    function: {
      functionName: 'reconcile',
      timeoutSeconds: 10,
      region: 'us-east-1',
      accountId: '123456789012',
    },
    periodSeconds: 0.25,
    signal: stopper.signal,
    onInvocation: (report) => reports.push(report),
    onSkipped: (time) => skipped.push(time),
    ...options,
  });
  return {
    startedAt,
    reports,
    skipped,
    stop: async () => {
      stopper.abort();
      await running;
    },
  };
}

const invocationsAtLeast = (n: number) => () => (control.invocations.length >= n ? true : undefined);

describe('schedule runner', { timeout: 30_000 }, () => {
  test('fires at its rate, first immediately, with a real ScheduledEvent', async () => {
    const schedule = startSchedule();
    try {
      await waitFor('5 invocations', invocationsAtLeast(5));
    } finally {
      await schedule.stop();
    }
    const firings = schedule.reports.map((r) => r.scheduledAt);
    assert.ok((firings[0] ?? Infinity) - schedule.startedAt < 20, 'the first firing is immediate');
    // On the grid start + k * 250 ms: no drift, whatever the invocations took.
    firings.slice(1).forEach((at, k) => {
      assert.equal(at - (firings[k] ?? 0), 250);
    });
    control.invocations.forEach((invocation, k) => {
      const late = invocation.startedAt - (firings[k] ?? 0);
      assert.ok(late >= -2 && late < 200, `invocation ${k} started ${late} ms after its firing`);
    });
    const event = control.invocations[0]?.event as ScheduledEvent;
    assert.equal(event['detail-type'], 'Scheduled Event');
    assert.equal(event.source, 'aws.events');
    assert.equal(event.version, '0');
    assert.equal(event.account, '123456789012');
    assert.equal(event.region, 'us-east-1');
    assert.deepEqual(event.resources, ['arn:aws:events:us-east-1:123456789012:rule/reconcile-schedule']);
    assert.deepEqual(event.detail, {});
    assert.equal(event.time, new Date(firings[0] ?? 0).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    assert.match(event.id, /^[0-9a-f-]{36}$/);
    assert.equal(control.invocations[0]?.context.functionName, 'reconcile');
    assert.ok((control.invocations[0]?.context.remainingMs ?? 0) > 9_000);
    assert.ok(schedule.reports.every((r) => r.outcome === 'success'));
  });

  test('after-one-period waits one period before the first firing', async () => {
    const schedule = startSchedule({ firstFiring: 'after-one-period', periodSeconds: 0.5 });
    try {
      await waitFor('an invocation', invocationsAtLeast(1));
    } finally {
      await schedule.stop();
    }
    const first = (schedule.reports[0]?.scheduledAt ?? 0) - schedule.startedAt;
    assert.ok(first >= 500 && first < 520, `first firing after ${first} ms`);
    assert.ok((control.invocations[0]?.startedAt ?? 0) >= (schedule.reports[0]?.scheduledAt ?? Infinity));
  });

  test('never overlaps: firings during an invocation are skipped', async () => {
    control.slowMs = 600;
    const schedule = startSchedule();
    try {
      await waitFor('3 invocations', invocationsAtLeast(3));
    } finally {
      await schedule.stop();
    }
    assert.equal(maxOverlap(control.invocations), 1);
    // A 600 ms run spans the firings at +250 and +500: skipped, not made up; +750 runs.
    const firings = schedule.reports.map((r) => r.scheduledAt);
    firings.slice(1).forEach((at, k) => {
      const gap = at - (firings[k] ?? 0);
      assert.ok(gap >= 750 && gap % 250 === 0, `next run fired ${gap} ms later`);
    });
    assert.ok(
      schedule.skipped.length >= 2 * (firings.length - 1),
      `${schedule.skipped.length} firings skipped`,
    );
  });

  test('queue-one runs a firing that came during an invocation right after it, still without overlap', async () => {
    control.slowMs = 600;
    const schedule = startSchedule({ whileRunning: 'queue-one' });
    try {
      await waitFor('3 invocations', invocationsAtLeast(3));
    } finally {
      await schedule.stop();
    }
    assert.equal(maxOverlap(control.invocations), 1);
    const [first, second] = control.invocations;
    const gap = (second?.startedAt ?? 0) - (first?.endedAt ?? 0);
    assert.ok(gap >= 0 && gap < 100, `the queued firing ran ${gap} ms after the previous ended`);
    assert.equal(
      schedule.reports[1]?.scheduledAt,
      (schedule.reports[0]?.scheduledAt ?? 0) + 250,
      'the +250 firing',
    );
    assert.ok(schedule.skipped.length > 0, 'only one firing waits; the one after it is skipped');
  });

  test('a timed-out invocation is reported, and its slot stays taken until it really ends', async () => {
    control.slowMs = 700;
    const schedule = startSchedule({
      function: {
        functionName: 'reconcile',
        timeoutSeconds: 0.3,
        region: 'us-east-1',
        accountId: '123456789012',
      },
    });
    try {
      await waitFor('2 invocations', invocationsAtLeast(2));
    } finally {
      await schedule.stop();
    }
    assert.equal(schedule.reports[0]?.outcome, 'timeout');
    assert.equal(maxOverlap(control.invocations), 1);
  });

  test('stopping waits for the running invocation and fires no more', async () => {
    control.slowMs = 500;
    const schedule = startSchedule();
    await waitFor('an invocation', invocationsAtLeast(1));
    await schedule.stop();
    assert.ok(control.invocations[0]?.endedAt, 'the running invocation ended before stop resolved');
    assert.equal(schedule.reports.length, 1);
    assert.equal(control.invocations.length, 1);
  });
});
