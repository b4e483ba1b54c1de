// ejr end to end on the local stack: the real bin (bin/ejr.js) as a child process with --local,
// sending to a queue of the test's own, which the local runtime polls with the bundles as deployed
// (reconcile every 5 s, so that jobs finish in seconds).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { EXIT } from '../../../cli/exit-codes.ts';
import {
  buildBundles,
  createQueues,
  type Queues,
  type Runtime,
  sqs,
  startRuntime,
} from '../submit/pipeline.ts';
import { cleanup, repoRoot, uid, waitFor } from '../submit/support.ts';

const owner = uid('cli');
const ids = {
  ok: `${owner}-ok`,
  long: `${owner}-long`,
  followed: `${owner}-followed`,
  refused: `${owner}-refused`,
  redriven: `${owner}-redriven`,
};
const image = 'public.ecr.aws/docker/library/busybox:1.36';
const job = (jobId: string, duration: string, extra: Record<string, unknown> = {}) => ({
  jobId,
  owner,
  image,
  command: ['sh', '-c', 'echo working'],
  podAnnotations: { 'outcome.local/duration': duration },
  ...extra,
});

interface Ran {
  code: number;
  out: string;
  err: string;
}

describe('ejr on the local stack (the real bin, --local)', { timeout: 420_000 }, () => {
  let queues: Queues | undefined;
  let runtime: Runtime | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'it-cli-'));

  /** `ejr --local --queue-url OURS --dlq-url OURS ARGS...`, with the Node that runs the tests. */
  const ejr = (args: string[]): Promise<Ran> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          join(repoRoot, 'bin/ejr.js'),
          '--local',
          '--queue-url',
          queues?.url ?? '',
          '--dlq-url',
          queues?.dlqUrl ?? '',
          ...args,
        ],
        { cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString('utf8');
      });
      child.once('error', reject);
      child.once('close', (code) => resolve({ code: code ?? -1, out, err }));
    });
  const file = (name: string, body: unknown): string => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(body));
    return path;
  };
  const stateOf = async (jobId: string): Promise<string | undefined> => {
    const got = await ejr(['-o', 'json', 'get', jobId]);
    return got.code === EXIT.ok ? (JSON.parse(got.out) as { state: string }).state : undefined;
  };

  before(async () => {
    queues = await createQueues('it-cli');
    runtime = startRuntime(queues, await buildBundles(), {
      args: ['--schedule-period', '5', '--first-firing', 'immediately', '--reconcile-window', '4'],
    });
  });
  after(async () => {
    await runtime?.stop();
    await queues?.delete();
    await cleanup(Object.values(ids));
    rmSync(dir, { recursive: true, force: true });
  });

  it('submit -> wait -> logs -> list: SUCCEEDED, exit 0, the recorded log tail, the owner listing', async () => {
    const submitted = await ejr(['submit', file('ok', job(ids.ok, '1s'))]);
    assert.equal(submitted.code, EXIT.ok, submitted.err);
    assert.equal(submitted.out, `${ids.ok}\n`);

    const waited = await ejr(['wait', ids.ok, '--timeout', '120']);
    assert.equal(waited.code, EXIT.ok, waited.err);
    assert.match(waited.out, new RegExp(`^${ids.ok}: SUCCEEDED`));

    const logs = await ejr(['logs', ids.ok]);
    assert.equal(logs.code, EXIT.ok, logs.err);
    assert.match(logs.out, /done/, 'the tail of kwok pod.log, as reconcile recorded it');

    const listed = await ejr(['-o', 'json', 'list', '--owner', owner]);
    assert.equal(listed.code, EXIT.ok, listed.err);
    const items = (JSON.parse(listed.out) as { items: { jobId: string; state: string }[] }).items;
    assert.deepEqual(
      items.filter((r) => r.jobId === ids.ok).map((r) => r.state),
      ['SUCCEEDED'],
    );
    const table = await ejr(['list', '--owner', owner]);
    assert.match(table.out, new RegExp(`^${ids.ok} +${owner} +SUCCEEDED `, 'm'));
  });

  it('cancel a running job: CANCELLED, wait exits 12, the record says who and why', async () => {
    assert.equal((await ejr(['submit', file('long', job(ids.long, '120s'))])).code, EXIT.ok);
    await waitFor(
      'the long job running',
      async () => ((await stateOf(ids.long)) === 'RUNNING' ? true : undefined),
      90_000,
      1000,
    );

    const cancelled = await ejr(['cancel', ids.long, '--reason', 'it: no longer needed']);
    assert.equal(cancelled.code, EXIT.ok, cancelled.err);
    const waited = await ejr(['wait', ids.long, '--timeout', '60']);
    assert.equal(waited.code, EXIT.cancelled, `${waited.out}${waited.err}`);

    const record = JSON.parse((await ejr(['-o', 'json', 'get', ids.long])).out) as {
      cancellation?: { by: string; reason?: string };
    };
    assert.equal(record.cancellation?.reason, 'it: no longer needed');
    assert.match(
      record.cancellation?.by ?? '',
      /^arn:aws:/,
      "requestedBy: the caller's identity (moto's STS)",
    );
  });

  it('logs --follow while the job runs, with the admin kubeconfig; ends once the job has', async () => {
    assert.equal((await ejr(['submit', file('followed', job(ids.followed, '8s'))])).code, EXIT.ok);
    await waitFor(
      'the followed job started',
      async () => ((await stateOf(ids.followed)) === 'RUNNING' ? true : undefined),
      90_000,
      500,
    );
    const followed = await ejr(['logs', ids.followed, '--follow']);
    assert.equal(followed.code, EXIT.ok, followed.err);
    // streamed from pods/log, or (for a pod it missed) the tail recorded once the job ended
    assert.match(followed.out, /done/);
    assert.equal(await stateOf(ids.followed), 'SUCCEEDED');
  });

  it('submit --wait of a request the policy refuses: REJECTED, exit 13, one JSON document', async () => {
    const ran = await ejr([
      '-o',
      'json',
      'submit',
      file('refused', job(ids.refused, '1s', { image: 'quay.io/someone/tool:1' })),
      '--wait',
      '--timeout',
      '90',
    ]);
    assert.equal(ran.code, EXIT.rejected, ran.err);
    const out = JSON.parse(ran.out) as { jobId: string; state: string; messageId?: string; exitCode: number };
    assert.equal(out.jobId, ids.refused);
    assert.equal(out.state, 'REJECTED');
    assert.equal(out.exitCode, EXIT.rejected);
    assert.ok(out.messageId);
  });

  it('an invalid file: exit 2 and its reasons with their paths; an unknown jobId: exit 3', async () => {
    const bad = await ejr(['submit', file('bad', { ...job(`${owner}-bad`, '1s'), retries: -1, typo: true })]);
    assert.equal(bad.code, EXIT.usage);
    assert.match(bad.err, /^ {2}retries: .*\(schema\.too_small\)$/m);
    assert.match(bad.err, /^ {2}\(body\): .*"typo".*\(schema\.unrecognized_keys\)$/m);
    assert.equal((await stateOf(`${owner}-bad`)) ?? 'none', 'none', 'nothing was sent');
    const unknown = await ejr(['get', `${owner}-unknown`]);
    assert.equal(unknown.code, EXIT.notFound);
  });

  it('dlq list shows a dead-lettered request; dlq redrive sends it back, and it runs', async () => {
    const url = queues?.dlqUrl ?? '';
    await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(job(ids.redriven, '1s')) }),
    );
    const listed = await ejr(['-o', 'json', 'dlq', 'list']);
    assert.equal(listed.code, EXIT.ok, listed.err);
    assert.deepEqual(
      (JSON.parse(listed.out) as { messages: { jobId: string }[] }).messages.map((m) => m.jobId),
      [ids.redriven],
    );
    const moved = await ejr(['dlq', 'redrive']);
    assert.equal(moved.code, EXIT.ok, moved.err);
    // moto 5.2.5 has no StartMessageMoveTask: ejr falls back to receive+send+delete, and says so
    assert.match(moved.out, /^(moved 1 message\(s\) by receive\+send\+delete|started a message move task)/);
    const waited = await ejr(['wait', ids.redriven, '--timeout', '120']);
    assert.equal(waited.code, EXIT.ok, `${waited.out}${waited.err}`);
    assert.match((await ejr(['dlq', 'list'])).out, /^the dead-letter queue is empty$/m);
  });
});
