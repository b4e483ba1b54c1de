// Each command end to end through the real program (commander, formatting, exit codes), with the
// table, SQS and the clock faked (fakes.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXIT } from '../../../cli/exit-codes.ts';
import { FakeJobs, FakeSqs, record, runEjr } from './fakes.ts';

const request = JSON.stringify({
  owner: 'team-a',
  image: 'public.ecr.aws/docker/library/busybox:1.36',
  command: ['true'],
});

describe('ejr: arguments', () => {
  it('--help, for the program and each command, exits 0', async () => {
    const top = await runEjr(['--help']);
    assert.equal(top.code, 0);
    for (const command of ['submit', 'get', 'list', 'wait', 'logs', 'cancel', 'dlq'])
      assert.match(top.out, new RegExp(`^  ${command} `, 'm'));
    for (const command of [
      ['submit'],
      ['get'],
      ['list'],
      ['wait'],
      ['logs'],
      ['cancel'],
      ['dlq', 'list'],
      ['dlq', 'redrive'],
    ]) {
      const ran = await runEjr([...command, '--help']);
      assert.equal(ran.code, 0, command.join(' '));
      assert.match(ran.out, new RegExp(`^Usage: ejr ${command.join(' ')} `, 'm'));
    }
    assert.match((await runEjr(['wait', '--help'])).out, /^ {2}13 {2}the request was REJECTED/m);
  });

  it('usage errors exit 2 and never connect', async () => {
    for (const args of [
      [],
      ['nope'],
      ['get'],
      ['list', '--limit', '0'],
      ['list', '--state', 'done'],
      ['cancel', 'job-1'],
      ['-o', 'yaml', 'get', 'a'],
      ['wait', 'a', '--timeout', 'x'],
      ['dlq', 'redrive', '--method', 'push'],
    ]) {
      const ran = await runEjr(args);
      assert.equal(ran.code, EXIT.usage, args.join(' '));
      assert.ok(ran.err.length > 0, args.join(' '));
      assert.equal(ran.connections.length, 0, args.join(' '));
    }
  });

  it('takes the global options before or after the command', async () => {
    const jobs = new FakeJobs([record('a', 'RUNNING')]);
    const before = await runEjr(['--local', '--table', 't', '-o', 'json', 'get', 'a'], { jobs });
    const after = await runEjr(['get', 'a', '--local', '--table', 't', '-o', 'json'], { jobs });
    for (const ran of [before, after]) {
      assert.equal(ran.code, 0);
      assert.equal(JSON.parse(ran.out).jobId, 'a');
      assert.equal(ran.connections[0]?.options.local, true);
      assert.equal(ran.connections[0]?.options.table, 't');
    }
    assert.equal(before.connections[0]?.options.stack, 'EksJobRunner');
  });

  it('reads the target from EJR_* variables too', async () => {
    process.env.EJR_STACK = 'Other';
    try {
      const ran = await runEjr(['get', 'a'], { jobs: new FakeJobs([record('a', 'RUNNING')]) });
      assert.equal(ran.connections[0]?.options.stack, 'Other');
    } finally {
      delete process.env.EJR_STACK;
    }
  });
});

describe('ejr submit', () => {
  it('sends the checked body and prints the jobId (a new one when the file has none)', async () => {
    const ran = await runEjr(['submit', 'req.json'], { files: { 'req.json': request } });
    assert.equal(ran.code, 0);
    assert.equal(ran.out, 'generated-1\n');
    assert.deepEqual(ran.connections[0]?.needs, ['queueUrl']);
    assert.equal(ran.sqs.sent.length, 1);
    assert.deepEqual(JSON.parse(ran.sqs.sent[0]?.body ?? ''), {
      ...JSON.parse(request),
      jobId: 'generated-1',
    });
  });

  it('--job-id and --owner override the file; json says jobId and messageId', async () => {
    const ran = await runEjr(['-o', 'json', 'submit', '-', '--job-id', 'mine', '--owner', 'team-b'], {
      files: { '-': request },
    });
    assert.deepEqual(JSON.parse(ran.out), { jobId: 'mine', messageId: 'm-1', queueUrl: 'https://sqs/jobs' });
    assert.equal(JSON.parse(ran.sqs.sent[0]?.body ?? '').owner, 'team-b');
  });

  it('an invalid file: its reasons with their paths, exit 2, nothing sent', async () => {
    const bad = JSON.stringify({
      ...JSON.parse(request),
      retries: -1,
      labels: { 'eks-job-runner.io/x': 'y' },
    });
    const ran = await runEjr(['submit', 'bad.json'], { files: { 'bad.json': bad } });
    assert.equal(ran.code, EXIT.usage);
    assert.equal(
      ran.err,
      'ejr: bad.json is not a valid job request\n' +
        '  retries: Too small: expected number to be >=0 (schema.too_small)\n' +
        '  labels.eks-job-runner.io/x: this key or prefix is reserved (labels.reserved_prefix)\n',
    );
    assert.equal(ran.sqs.sent.length, 0);
    assert.equal(ran.connections.length, 0);
  });

  it('an unreadable file is a usage error', async () => {
    const ran = await runEjr(['submit', 'missing.json']);
    assert.equal(ran.code, EXIT.usage);
    assert.match(ran.err, /^ejr: cannot read missing.json: ENOENT/);
  });

  it('--wait follows the job and exits as it ended', async () => {
    const jobs = new FakeJobs([], {
      w: [undefined, record('w', 'RUNNING'), record('w', 'FAILED', { reason: 'BackoffLimitExceeded' })],
    });
    const ran = await runEjr(['submit', 'req.json', '--job-id', 'w', '--wait'], {
      jobs,
      files: { 'req.json': request },
    });
    assert.equal(ran.code, EXIT.failed);
    assert.equal(ran.out, 'w\nw: FAILED (BackoffLimitExceeded)\n');
    assert.deepEqual(ran.connections[0]?.needs, ['queueUrl', 'tableName']);
  });
});

describe('ejr get, list', () => {
  const records = [
    record('j1', 'SUCCEEDED', { updatedAt: '2026-11-22T10:03:00.000Z' }),
    record('j2', 'RUNNING', { updatedAt: '2026-11-22T10:02:00.000Z' }),
    record('j3', 'PENDING', { owner: 'team-b', updatedAt: '2026-11-22T10:04:00.000Z' }),
    record('j4', 'RUNNING', { updatedAt: '2026-11-22T10:05:00.000Z' }),
  ];

  it('get: the summary, or json; exit 3 without a record', async () => {
    const jobs = new FakeJobs(records);
    assert.match((await runEjr(['get', 'j1'], { jobs })).out, /^state: +SUCCEEDED$/m);
    assert.deepEqual(JSON.parse((await runEjr(['get', 'j1', '-o', 'json'], { jobs })).out), records[0]);
    const missing = await runEjr(['get', 'nope'], { jobs });
    assert.equal(missing.code, EXIT.notFound);
    assert.equal(missing.err, 'ejr: no record for nope in the fake stack\n');
  });

  it("list --owner: the owner's page, and the token of the next one", async () => {
    const ran = await runEjr(['list', '--owner', 'team-a', '--limit', '2'], { jobs: new FakeJobs(records) });
    assert.deepEqual(ran.jobs.calls, ['listByOwner team-a 2 -']);
    assert.deepEqual(
      ran.out
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split(/ +/)[0]),
      ['j1', 'j2'],
    );
    assert.equal(ran.err, 'more: --next-token 2\n');
    const next = await runEjr(
      ['-o', 'json', 'list', '--owner', 'team-a', '--limit', '2', '--next-token', '2'],
      {
        jobs: new FakeJobs(records),
      },
    );
    assert.deepEqual(
      JSON.parse(next.out).items.map((r: { jobId: string }) => r.jobId),
      ['j4'],
    );
    assert.equal(JSON.parse(next.out).nextToken, undefined);
  });

  it('list --owner --state filters the page by state', async () => {
    const ran = await runEjr(['-o', 'json', 'list', '--owner', 'team-a', '--state', 'running'], {
      jobs: new FakeJobs(records),
    });
    assert.deepEqual(
      JSON.parse(ran.out).items.map((r: { jobId: string }) => r.jobId),
      ['j2', 'j4'],
    );
  });

  it('list --state, and without flags the active jobs, most recently updated first', async () => {
    const byState = await runEjr(['list', '--state', 'RUNNING', '--limit', '5'], {
      jobs: new FakeJobs(records),
    });
    assert.deepEqual(byState.jobs.calls, ['listByState RUNNING 5']);
    const active = await runEjr(['-o', 'json', 'list', '--limit', '2'], { jobs: new FakeJobs(records) });
    assert.deepEqual(active.jobs.calls, [
      'listByState SUBMITTED 2',
      'listByState QUEUED 2',
      'listByState PENDING 2',
      'listByState RUNNING 2',
    ]);
    assert.deepEqual(
      JSON.parse(active.out).items.map((r: { jobId: string }) => r.jobId),
      ['j4', 'j3'],
    );
    const paged = await runEjr(['list', '--state', 'RUNNING', '--next-token', 'x'], {
      jobs: new FakeJobs(records),
    });
    assert.equal(paged.code, EXIT.usage);
  });
});

describe('ejr wait', () => {
  const cases = [
    ['SUCCEEDED', EXIT.ok],
    ['FAILED', EXIT.failed],
    ['TIMED_OUT', EXIT.timedOut],
    ['CANCELLED', EXIT.cancelled],
    ['REJECTED', EXIT.rejected],
    ['LOST', EXIT.lost],
  ] as const;
  for (const [state, code] of cases)
    it(`exits ${code} when the job ends ${state}`, async () => {
      const jobs = new FakeJobs([], { a: [record('a', 'PENDING'), record('a', state)] });
      const ran = await runEjr(['wait', 'a'], { jobs });
      assert.equal(ran.code, code);
      assert.equal(ran.out, `a: ${state}\n`);
    });

  it('exits 15 when --timeout passes first, and says where the job is', async () => {
    const jobs = new FakeJobs([record('a', 'RUNNING')]);
    const ran = await runEjr(['wait', 'a', '--timeout', '5'], { jobs });
    assert.equal(ran.code, EXIT.waitTimeout);
    assert.equal(ran.err, 'ejr: a is still RUNNING after 5s (--timeout)\n');
    const json = await runEjr(['wait', 'a', '--timeout', '5', '-o', 'json'], { jobs });
    assert.equal(json.code, EXIT.waitTimeout);
    assert.deepEqual(
      (({ outcome, state, exitCode }) => ({ outcome, state, exitCode }))(JSON.parse(json.out)),
      { outcome: 'timeout', state: 'RUNNING', exitCode: 15 },
    );
  });

  it('exits 3 when no record appears within a minute', async () => {
    const ran = await runEjr(['wait', 'nope'], { jobs: new FakeJobs() });
    assert.equal(ran.code, EXIT.notFound);
    assert.match(ran.err, /^ejr: no record for nope in the fake stack after 1m00s/);
  });

  it('a progress line: redrawn on a terminal, one per change with --progress elsewhere, none by default', async () => {
    const sequence = () => ({
      a: [record('a', 'PENDING'), record('a', 'PENDING'), record('a', 'RUNNING'), record('a', 'SUCCEEDED')],
    });
    const tty = await runEjr(['wait', 'a'], { jobs: new FakeJobs([], sequence()), errIsTTY: true });
    assert.equal(tty.err.split('\r\x1b[2K').filter(Boolean).length, 4);
    assert.ok(tty.err.endsWith('\r\x1b[2K'), 'the line is cleared at the end');
    const log = await runEjr(['wait', 'a', '--progress'], { jobs: new FakeJobs([], sequence()) });
    assert.equal(log.err, 'a: PENDING (0s)\na: RUNNING (4s)\na: SUCCEEDED (6s)\n');
    const quiet = await runEjr(['wait', 'a'], { jobs: new FakeJobs([], sequence()) });
    assert.equal(quiet.err, '');
    const off = await runEjr(['wait', 'a', '--no-progress'], {
      jobs: new FakeJobs([], sequence()),
      errIsTTY: true,
    });
    assert.equal(off.err, '');
  });
});

describe('ejr logs, cancel', () => {
  it('logs: the recorded tails; a note while the job runs', async () => {
    const done = record('a', 'SUCCEEDED', {
      result: {
        attempts: 1,
        succeeded: 1,
        failed: 0,
        pods: [{ podName: 'p', exitCode: 0, logTail: 'hi\n' }],
      },
    });
    const jobs = new FakeJobs([done, record('b', 'RUNNING')]);
    assert.equal((await runEjr(['logs', 'a'], { jobs })).out, 'hi\n');
    assert.deepEqual(JSON.parse((await runEjr(['logs', 'a', '-o', 'json'], { jobs })).out).pods, [
      { podName: 'p', exitCode: 0, logTail: 'hi\n' },
    ]);
    const running = await runEjr(['logs', 'b'], { jobs });
    assert.equal(running.code, 0);
    assert.match(running.err, /b is RUNNING: its log tails are recorded when it ends; --follow/);
    assert.equal((await runEjr(['logs', 'c'], { jobs })).code, EXIT.notFound);
  });

  it("cancel: the contract's body, requestedBy from the caller's identity", async () => {
    const ran = await runEjr(['cancel', 'job-1', '--reason', 'superseded']);
    assert.equal(ran.code, 0);
    assert.deepEqual(JSON.parse(ran.sqs.sent[0]?.body ?? ''), {
      action: 'cancel',
      jobId: 'job-1',
      requestedBy: 'arn:aws:iam::123456789012:user/alice',
      reason: 'superseded',
    });
    assert.equal(ran.out, 'cancel of job-1 sent (requested by arn:aws:iam::123456789012:user/alice)\n');
  });

  it('cancel --requested-by wins; an invalid one is refused before sending', async () => {
    const ran = await runEjr([
      'cancel',
      'job-1',
      '--reason',
      'r',
      '--requested-by',
      'ops@example.com',
      '-o',
      'json',
    ]);
    assert.equal(JSON.parse(ran.out).requestedBy, 'ops@example.com');
    const bad = await runEjr(['cancel', 'job-1', '--reason', 'r'], {
      whoami: 'arn:aws:sts::1:assumed-role/a b',
    });
    assert.equal(bad.code, EXIT.usage);
    assert.match(bad.err, /requestedBy: .*\n {2}\(requestedBy was your identity, .*: pass --requested-by\)/);
    assert.equal(bad.sqs.sent.length, 0);
  });
});

describe('ejr dlq', () => {
  const dead = (n: number) => ({
    MessageId: `d${n}`,
    Body: JSON.stringify({ jobId: `job-${n}`, owner: 'team-a' }),
    Attributes: { SentTimestamp: '1795000000000', ApproximateReceiveCount: '5' },
  });

  it('list peeks and makes every message visible again', async () => {
    const sqs = new FakeSqs([dead(1), dead(2), dead(3)]);
    const ran = await runEjr(['-o', 'json', 'dlq', 'list', '--limit', '2'], { sqs });
    const out = JSON.parse(ran.out);
    assert.equal(out.approximateCount, 3);
    assert.deepEqual(
      out.messages.map((m: { jobId: string; action: string }) => [m.jobId, m.action]),
      [
        ['job-1', 'submit'],
        ['job-2', 'submit'],
      ],
    );
    assert.deepEqual(sqs.visibilityChanges, [0, 0]);
    assert.equal(sqs.dlq.length, 3);
    assert.deepEqual(ran.connections[0]?.needs, ['dlqUrl']);
  });

  it('redrive starts a message move task to the jobs queue', async () => {
    const sqs = new FakeSqs([dead(1)]);
    const ran = await runEjr(['dlq', 'redrive'], { sqs });
    assert.equal(ran.code, 0);
    assert.deepEqual(sqs.moveTasks, [
      { source: 'arn:https://sqs/jobs-dlq', destination: 'arn:https://sqs/jobs' },
    ]);
    assert.match(
      ran.out,
      /^started a message move task \(StartMessageMoveTask\) for about 1 message\(s\): task task-1/,
    );
  });

  it('redrive falls back to receive+send+delete where there is no move task, and says so', async () => {
    const sqs = new FakeSqs([dead(1), dead(2)]);
    sqs.moveTask = 'unsupported';
    const ran = await runEjr(['-o', 'json', 'dlq', 'redrive'], { sqs });
    assert.deepEqual(JSON.parse(ran.out), {
      method: 'copy',
      moved: 2,
      failed: 0,
      reason: 'the endpoint has no StartMessageMoveTask: SyntaxError, HTTP 500',
    });
    assert.deepEqual(
      sqs.sent.map((s) => [s.queueUrl, JSON.parse(s.body).jobId]),
      [
        ['https://sqs/jobs', 'job-1'],
        ['https://sqs/jobs', 'job-2'],
      ],
    );
    assert.equal(sqs.dlq.length, 0);
    const forced = await runEjr(['dlq', 'redrive', '--method', 'move-task'], { sqs });
    assert.equal(forced.code, EXIT.error, 'with --method move-task the error is the answer');
  });
});
