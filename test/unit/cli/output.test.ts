import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dlqTable,
  duration,
  jobSummary,
  jobsTable,
  json,
  logTails,
  progressLine,
  reasonLines,
  table,
  time,
} from '../../../cli/output.ts';
import { record } from './fakes.ts';

describe('output: tables', () => {
  it('pads every column but the last to its widest cell', () => {
    assert.equal(
      table(
        ['A', 'BB', 'C'],
        [
          ['xxx', 'y', 'last cell'],
          ['', 'yyyy', ''],
        ],
      ),
      'A    BB    C\nxxx  y     last cell\n     yyyy\n',
    );
  });

  it('lists jobs with their state, reason and times, to the second', () => {
    const text = jobsTable([
      record('job-1', 'FAILED', { reason: 'BackoffLimitExceeded', updatedAt: '2026-11-22T10:05:00.123Z' }),
      record('job-22', 'RUNNING'),
    ]);
    assert.equal(
      text,
      [
        'JOB ID  OWNER   STATE    REASON                CREATED               UPDATED',
        'job-1   team-a  FAILED   BackoffLimitExceeded  2026-11-22 10:00:00Z  2026-11-22 10:05:00Z',
        'job-22  team-a  RUNNING                        2026-11-22 10:00:00Z  2026-11-22 10:00:00Z',
        '',
      ].join('\n'),
    );
    assert.equal(jobsTable([]), 'no jobs\n');
  });

  it('formats times and durations', () => {
    assert.equal(time('2026-11-22T10:00:01.999Z'), '2026-11-22 10:00:01Z');
    assert.equal(time(undefined), '');
    assert.deepEqual([0, 42, 187, 7500].map(duration), ['0s', '42s', '3m07s', '2h05m']);
  });
});

describe('output: one job', () => {
  it('summarises a finished job: result, pods, history', () => {
    const text = jobSummary(
      record('job-1', 'SUCCEEDED', {
        namespace: 'jobs',
        jobName: 'job-1-abc12',
        result: {
          attempts: 1,
          succeeded: 1,
          failed: 0,
          durationSeconds: 42,
          pods: [{ podName: 'job-1-abc12-x', exitCode: 0, reason: 'Completed' }],
        },
        history: [
          { state: 'SUBMITTED', at: '2026-11-22T10:00:00.000Z' },
          { state: 'SUCCEEDED', at: '2026-11-22T10:00:42.000Z', reason: 'Completed' },
        ],
      }),
    );
    assert.match(text, /^job id: {5}job-1$/m);
    assert.match(text, /^state: {6}SUCCEEDED$/m);
    assert.match(text, /^kubernetes: job\/job-1-abc12 in jobs$/m);
    assert.match(text, /^result: {5}1 succeeded, 0 failed, 1 attempt\(s\), 42s$/m);
    assert.match(text, /^ {2}job-1-abc12-x {2}0 {5}Completed$/m);
    assert.match(text, /^ {2}2026-11-22 10:00:42Z {2}SUCCEEDED {2}Completed$/m);
    assert.doesNotMatch(text, /^(message|pending|cancelled|reasons):/m);
  });

  it('shows why a request was rejected, and who cancelled', () => {
    const rejected = jobSummary(
      record('job-2', 'REJECTED', {
        reason: 'InvalidRequest',
        reasons: [{ path: 'image', rule: 'policy.image_registry', message: 'registry not allowed' }],
      }),
    );
    assert.match(rejected, /^state: +REJECTED \(InvalidRequest\)$/m);
    assert.match(rejected, /^reasons:\n {2}image: registry not allowed \(policy.image_registry\)$/m);
    const cancelled = jobSummary(
      record('job-3', 'CANCELLED', {
        cancellation: { by: 'alice', reason: 'superseded', at: '2026-11-22T10:01:00.000Z' },
      }),
    );
    assert.match(cancelled, /^cancelled: +by alice at 2026-11-22 10:01:00Z: superseded$/m);
  });

  it('names the whole body when a reason has no path', () => {
    assert.deepEqual(reasonLines([{ path: '', rule: 'request.invalid_json', message: 'not JSON' }]), [
      '(body): not JSON (request.invalid_json)',
    ]);
  });

  it('prints json as it is, indented', () => {
    const r = record('job-1', 'RUNNING');
    assert.deepEqual(JSON.parse(json(r)), r);
    assert.ok(json(r).endsWith('}\n'));
  });
});

describe('output: logs, progress, the DLQ', () => {
  const pod = (podName: string, logTail: string | undefined, exitCode?: number) => ({
    podName,
    logTail,
    exitCode,
  });

  it('prints one pod tail as it is, several with a header each', () => {
    const one = record('a', 'SUCCEEDED', {
      result: { attempts: 1, succeeded: 1, failed: 0, pods: [pod('p1', 'hello\nbye')] },
    });
    assert.equal(logTails(one), 'hello\nbye\n');
    const two = record('a', 'FAILED', {
      result: {
        attempts: 2,
        succeeded: 0,
        failed: 2,
        pods: [pod('p1', 'one\n', 1), pod('p2', 'two\n', 2), pod('p3', undefined)],
      },
    });
    assert.equal(logTails(two), '==> p1 (exit 1) <==\none\n\n==> p2 (exit 2) <==\ntwo\n');
    assert.equal(logTails(record('a', 'RUNNING')), '');
  });

  it("the progress line: state, why it waits, how long it's been", () => {
    assert.equal(progressLine('a', undefined, 1500), 'a: not recorded yet (queued?) (2s)');
    assert.equal(
      progressLine('a', record('a', 'PENDING', { pending: { reason: 'Unschedulable', since: 'x' } }), 65_000),
      'a: PENDING Unschedulable (1m05s)',
    );
  });

  it('the DLQ table', () => {
    assert.equal(dlqTable([]), 'the dead-letter queue is empty\n');
    const text = dlqTable([
      {
        messageId: 'm1',
        sentAt: '2026-11-22T10:00:00.000Z',
        receiveCount: 6,
        action: 'submit',
        jobId: 'job-1',
        owner: 'team-a',
        body: '{"é":1}',
      },
    ]);
    assert.equal(
      text,
      'MESSAGE ID  SENT                  RECEIVES  ACTION  JOB ID  OWNER   BYTES\n' +
        'm1          2026-11-22 10:00:00Z  6         submit  job-1   team-a  8\n',
    );
  });
});
