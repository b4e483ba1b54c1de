import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildJobResult,
  DEFAULT_RESULT_LIMITS,
  logPods,
  resultPods,
} from '../../../../shared/core/reconcile/result.ts';
import { at, cond, job, pod, terminated } from './fixtures.ts';

describe('buildJobResult', () => {
  it('keeps the last pod: exit code, reason, message, times, counters, duration, log tail', () => {
    const j = job('a', {
      startTime: new Date(at(0)),
      completionTime: new Date(at(12)),
      succeeded: 1,
      failed: 2,
      conditions: [cond('Complete', 'CompletionsReached', undefined, at(12))],
    });
    const pods = [
      pod('p1', { created: 0, phase: 'Failed', state: terminated(1, 'first') }),
      pod('p3', { created: 8, phase: 'Succeeded', state: terminated(0, 'all good') }),
      pod('p2', { created: 4, phase: 'Failed', state: terminated(1, 'second') }),
    ];
    const r = buildJobResult(j, pods, new Map([['p3', { tail: 'line 1\nline 2\n' }]]));
    assert.equal(r.attempts, 3);
    assert.equal(r.durationSeconds, 12);
    assert.equal(r.startedAt, at(0));
    assert.equal(r.finishedAt, at(12));
    assert.equal(r.pods.length, 1);
    assert.deepEqual(r.pods[0], {
      podName: 'p3',
      exitCode: 0,
      reason: 'Completed',
      message: 'all good',
      startedAt: at(1),
      finishedAt: at(5),
      logTail: 'line 1\nline 2\n',
    });
  });

  it('takes the finish time from the Failed condition when there is no completion time', () => {
    const j = job('a', {
      startTime: new Date(at(0)),
      failed: 1,
      conditions: [cond('Failed', 'DeadlineExceeded', 'late', at(30))],
    });
    const r = buildJobResult(j, [], new Map());
    assert.equal(r.finishedAt, at(30));
    assert.equal(r.durationSeconds, 30);
    assert.deepEqual(r.pods, []);
  });

  it('bounds the termination message to 4 KiB and the log tail to its byte limit, keeping the end', () => {
    const j = job('a', { failed: 1, conditions: [cond('Failed', 'BackoffLimitExceeded')] });
    const log = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n');
    const r = buildJobResult(
      j,
      [pod('p', { phase: 'Failed', state: terminated(2, 'é'.repeat(5000)) })],
      new Map([['p', { tail: log }]]),
    );
    const p = r.pods[0];
    assert.ok(p);
    assert.ok(Buffer.byteLength(p.message ?? '') <= 4096);
    assert.ok(!(p.message ?? '').includes('\uFFFD'));
    assert.ok(Buffer.byteLength(p.logTail ?? '') <= DEFAULT_RESULT_LIMITS.logTailBytes);
    assert.ok(p.logTail?.endsWith('line 999'));
    assert.ok(p.logTail?.startsWith('line '));
  });

  it('records why the log is missing', () => {
    const j = job('a', { conditions: [cond('Complete')] });
    const r = buildJobResult(
      j,
      [pod('p', { phase: 'Succeeded', state: terminated(0) })],
      new Map([['p', { unavailable: 'pods/log 404: gone' }]]),
    );
    assert.equal(r.pods[0]?.logTail, undefined);
    assert.equal((r.pods[0] as { logUnavailable?: string }).logUnavailable, 'pods/log 404: gone');
  });

  it('reports the last pod of each index of an Indexed job, and the indexes', () => {
    const j = job(
      'a',
      {
        succeeded: 2,
        failed: 2,
        completedIndexes: '0,2',
        failedIndexes: '1',
        conditions: [cond('Failed', 'FailedIndexes')],
      },
      { indexed: true },
    );
    const pods = [
      pod('i0', { index: 0, created: 0, phase: 'Succeeded', state: terminated(0) }),
      pod('i1a', { index: 1, created: 0, phase: 'Failed', state: terminated(1, 'first try') }),
      pod('i1b', { index: 1, created: 3, phase: 'Failed', state: terminated(7, 'second try') }),
      pod('i2', { index: 2, created: 0, phase: 'Succeeded', state: terminated(0) }),
    ];
    const r = buildJobResult(j, pods, new Map());
    assert.deepEqual(
      r.pods.map((p) => [p.completionIndex, p.podName, p.exitCode]),
      [
        [0, 'i0', 0],
        [1, 'i1b', 7],
        [2, 'i2', 0],
      ],
    );
    assert.equal(r.failedIndexes, '1');
    assert.equal(r.completedIndexes, '0,2');
    // Logs are read for the failed pod first, and for a bounded number of pods.
    assert.equal(logPods(j, pods, { ...DEFAULT_RESULT_LIMITS, maxLogPods: 1 })[0]?.metadata?.name, 'i1b');
  });

  it('keeps failed indexes first when an Indexed job has more pods than the bound', () => {
    const j = job('a', {}, { indexed: true });
    const pods = Array.from({ length: 50 }, (_, i) =>
      pod(`p${i}`, {
        index: i,
        phase: i === 42 ? 'Failed' : 'Succeeded',
        state: terminated(i === 42 ? 1 : 0),
      }),
    );
    const chosen = resultPods(j, pods, 5).map((p) => p.metadata?.name);
    assert.equal(chosen.length, 5);
    assert.ok(chosen.includes('p42'));
  });

  it('says why a pod that never ran did not run', () => {
    const j = job('a', { conditions: [cond('Failed', 'DeadlineExceeded')] });
    const r = buildJobResult(
      j,
      [pod('p', { scheduled: { status: 'False', reason: 'Unschedulable', message: 'no nodes' } })],
      new Map(),
    );
    assert.deepEqual(
      [r.pods[0]?.reason, r.pods[0]?.message, r.pods[0]?.exitCode],
      ['Unschedulable', 'no nodes', undefined],
    );
  });
});
