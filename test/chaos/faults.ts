// The fault suite: each scenario breaks one part of the local stack while jobs run through the
// public contract (an SQS body in; DynamoDB records, events and Kubernetes Jobs out), then counts
// what came out. Target for every row: 0 lost, 0 duplicated, 0 crashes, every terminal outcome
// with its exit code.
//
//   node test/chaos/faults.ts [--scenarios=apiserver,etcd,runtime-kill,reconcile-down,storm]
//                             [--jobs=100] [--reconcile-down-seconds=600] [--json=FILE]
//
// Needs the local stack (npm run stack:up) and the bundles (npm run build); stops what it starts.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { isTerminal } from '../../shared/core/job/state.ts';
import {
  EventTap,
  JobCensus,
  log,
  pidOf,
  Runtime,
  recordsWhenTerminal,
  repoRoot,
  request,
  send,
} from './kit.ts';

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: 'apiserver,etcd,runtime-kill,reconcile-down,storm' },
    jobs: { type: 'string', default: '100' },
    'reconcile-down-seconds': { type: 'string', default: '600' },
    json: { type: 'string' },
  },
});
const jobs = Number(values.jobs);
const downSeconds = Number(values['reconcile-down-seconds']);
/** The runtime's reconcile: every 20 s, watching 15 s of it, so status lands quickly. */
const FAST_RECONCILE = ['--schedule-period', '20', '--reconcile-window', '15'];

interface Row {
  scenario: string;
  requests: number;
  jobsCreated: number;
  duplicated: number;
  records: number;
  terminalCorrect: number;
  withExitCode: number;
  lost: number;
  events: string;
  duplicateEvents: number;
  crashes: number;
  seconds: number;
}

function stackCtl(action: 'start' | 'stop', server: string): void {
  execFileSync('bash', [join(repoRoot, 'infra/local/stack-ctl.sh'), action, server], { stdio: 'inherit' });
}

/** One scenario: `fault` runs while the jobs go through; everything is counted after. */
async function scenario(
  name: string,
  options: { copies?: number; ttl?: number; runtimes?: number; runtimeArgs?: string[]; waitMs?: number },
  fault: (runtimes: Runtime[]) => Promise<void>,
): Promise<Row> {
  const started = Date.now();
  const prefix = `f-${name}-${Date.now().toString(36)}`;
  const owner = `team-${prefix}`;
  const ids = Array.from({ length: jobs }, (_, i) => `${prefix}-${i}`);
  const census = new JobCensus();
  const tap = new EventTap();
  await census.start(prefix);
  await tap.open(owner);
  const runtimes = Array.from({ length: options.runtimes ?? 1 }, (_, i) => new Runtime(`${name}-${i}`));
  try {
    for (const runtime of runtimes) runtime.start(options.runtimeArgs ?? FAST_RECONCILE);
    log(`${name}: sending ${ids.length} x ${options.copies ?? 1} requests`);
    await send(
      ids.map((id, i) => request(id, owner, { ttl: options.ttl, exitCode: i % 5 === 0 ? 3 : 0 })),
      options.copies ?? 1,
    );
    await fault(runtimes);
    const records = await recordsWhenTerminal(ids, options.waitMs ?? 300_000);
    await delay(3000);
    await tap.drain();
    let terminalCorrect = 0;
    let withExitCode = 0;
    let expectedEvents = 0;
    let receivedEvents = 0;
    let duplicateEvents = 0;
    ids.forEach((id, i) => {
      const r = records.get(id);
      if (!r) return;
      const want = i % 5 === 0 ? 'FAILED' : 'SUCCEEDED';
      if (r.state === want) terminalCorrect++;
      if (r.result?.pods[0]?.exitCode === (i % 5 === 0 ? 3 : 0)) withExitCode++;
      // Every state change after SUBMITTED is one transition, one version, one event.
      expectedEvents += r.history.length - 1;
      const got = tap.of(id);
      receivedEvents += got.received;
      duplicateEvents += got.duplicates;
    });
    return {
      scenario: name,
      requests: ids.length * (options.copies ?? 1),
      jobsCreated: census.created,
      duplicated: census.duplicated,
      records: records.size,
      terminalCorrect,
      withExitCode,
      lost: ids.filter((id) => !records.get(id) || !isTerminal(records.get(id)?.state ?? 'SUBMITTED')).length,
      events: `${receivedEvents}/${expectedEvents}`,
      duplicateEvents,
      crashes: runtimes.reduce((sum, r) => sum + r.crashes + r.unhandled(), 0),
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    for (const runtime of runtimes) await runtime.stop();
    census.stop();
    await tap.close();
  }
}

/** SIGKILLs one server of the stack, waits, starts it again with its flags. */
async function killServer(server: string, downMs: number): Promise<void> {
  await delay(3000);
  log(`SIGKILL ${server} for ${downMs / 1000} s`);
  process.kill(pidOf(server), 'SIGKILL');
  await delay(downMs);
  stackCtl('start', server);
}

const SCENARIOS: Record<string, () => Promise<Row>> = {
  apiserver: () => scenario('apiserver', {}, () => killServer('kube-apiserver', 20_000)),
  etcd: () => scenario('etcd', {}, () => killServer('etcd', 10_000)),
  'runtime-kill': () =>
    scenario('runtime-kill', {}, async ([runtime]) => {
      await delay(2000);
      log('SIGKILL the functions process mid-batch, then start it again');
      runtime?.kill();
      await delay(1000);
      runtime?.start(FAST_RECONCILE);
    }),
  'reconcile-down': () =>
    scenario(
      'reconcile-down',
      {
        ttl: 0,
        // Reconcile first fires after the outage: jobs finish and their TTL of 0 deletes them meanwhile.
        runtimeArgs: [
          '--schedule-period',
          String(downSeconds),
          '--first-firing',
          'after-one-period',
          '--reconcile-window',
          '30',
        ],
        waitMs: (downSeconds + 300) * 1000,
      },
      async () => log(`reconcile is down for ${downSeconds} s while the jobs finish with TTL 0`),
    ),
  storm: () =>
    scenario('storm', { copies: 4, runtimes: 2, waitMs: 600_000 }, async () =>
      log('a duplicate storm: every request 4 times, two runtimes on the queue'),
    ),
};

const rows: Row[] = [];
for (const name of (values.scenarios ?? '').split(',').filter(Boolean)) {
  const run = SCENARIOS[name];
  if (!run) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  rows.push(await run());
  log(`${name}: ${JSON.stringify(rows.at(-1))}`);
}
const columns = Object.keys(rows[0] ?? {}) as (keyof Row)[];
console.log(`| ${columns.join(' | ')} |`);
console.log(`| ${columns.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${columns.map((c) => row[c]).join(' | ')} |`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(rows, null, 2)}\n`);
process.exit(0);
