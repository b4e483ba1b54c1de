// Benchmark of the functions' cold init: this tree's bundles against a baseline's, in one run.
//
//   node_modules/.bin/node test/bench/cold-init.ts [--ref <git ref>] [--n 15]
//
// Builds this tree's bundles and the baseline's (the tree at --ref, default the commit this
// branch started from on main, unpacked with git archive into a temp dir with node_modules
// linked, and built by its own scripts/build-bundles.ts). Then, N times per function, alternating
// which goes first: a fresh `node --enable-source-maps` process (NODE_OPTIONS as deployed) with
// the environment CDK sets imports the bundle as Lambda's init does (load-bundle.ts) and exits.
// Prints the medians of the import time and of the whole process, the ratio current/baseline and
// the bundle sizes, and writes the report (test/bench/report): bench-results/cold-init.json (every
// run) and PNG charts beside it, the distributions of both times and the medians and sizes as bars,
// baseline beside ours (the directory is EJR_BENCH_OUT when set).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { FUNCTIONS } from '../../infra/bundling.ts';
import { bundlePath } from '../../infra/local/runtime/load-bundle.ts';
import {
  type ColdInitFigures,
  type ColdInitRun,
  coldInitCharts,
  functionFigures,
  type Variant,
  variantFigures,
} from './figures/cold-init.ts';
import { progress, writeReport } from './report/index.ts';

const root = resolve(import.meta.dirname, '../..');
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();

const { values } = parseArgs({
  options: {
    ref: { type: 'string' },
    n: { type: 'string', default: '15' },
  },
});
const N = Number(values.n);
/** Default: where this branch left main (on main itself, HEAD: pass --ref then). */
const ref = values.ref ?? git('merge-base', 'HEAD', 'main');
const commit = git('rev-parse', '--short', ref);

/** The deployed functions' environment (infra/constructs/job-runner.ts); AWS is never reached. */
const environment = (name: string): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEKEY000001',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_LAMBDA_FUNCTION_NAME: `bench-${name}`,
  JOBS_TABLE_NAME: 'bench-jobs',
  EVENT_BUS_NAME: 'bench-bus',
  CLUSTER_ACCESS: 'eks',
  EKS_CLUSTER_NAME: 'bench',
  JOBS_NAMESPACES: 'jobs',
  JOB_POLICY: JSON.stringify({ principals: [{ senderId: '*', owners: ['*'] }] }),
  POWERTOOLS_SERVICE_NAME: name,
  POWERTOOLS_METRICS_NAMESPACE: 'bench',
  NODE_OPTIONS: '--enable-source-maps',
});

/** The child: the import that is Lambda's init, timed from inside, then exit at once. */
const CHILD = `
import { loadBundle } from ${JSON.stringify(pathToFileURL(join(root, 'infra/local/runtime/load-bundle.ts')).href)};
const started = performance.now();
await loadBundle(process.argv[1]);
console.log(JSON.stringify({ initMs: performance.now() - started }));
process.exit(0);
`;

/** Builds a tree's bundles with its own build script; a budget failure still leaves them built. */
function build(dir: string): void {
  const run = spawnSync(process.execPath, ['scripts/build-bundles.ts'], { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0)
    console.error(`${dir}: build-bundles exited ${run.status}\n${run.stdout}${run.stderr}`);
}

function coldInit(file: string, name: string): ColdInitRun {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, file], {
    env: environment(name),
    encoding: 'utf8',
  });
  const processMs = performance.now() - started;
  const line = run.stdout.split('\n').find((l) => l.startsWith('{"initMs"'));
  if (run.status !== 0 || !line)
    throw new Error(`cold init of ${file} failed (${run.status}):\n${run.stdout}${run.stderr}`);
  return { initMs: (JSON.parse(line) as { initMs: number }).initMs, processMs };
}

const size = (file: string) => ({
  bytes: statSync(file).size,
  mapBytes: existsSync(`${file}.map`) ? statSync(`${file}.map`).size : 0,
});
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

const baselineDir = mkdtempSync(join(tmpdir(), 'cold-init-baseline-'));
try {
  console.log(`baseline ${commit} (${ref}) -> ${baselineDir}`);
  execFileSync('bash', ['-c', `git archive ${commit} | tar -x -C "${baselineDir}"`], { cwd: root });
  symlinkSync(join(root, 'node_modules'), join(baselineDir, 'node_modules'));
  console.log('building the bundles: current, baseline');
  build(root);
  build(baselineDir);

  const variants = { baseline: join(baselineDir, 'dist/functions'), current: join(root, 'dist/functions') };
  const names = FUNCTIONS.filter((name) => existsSync(bundlePath(name, variants.baseline)));
  for (const name of FUNCTIONS.filter((n) => !names.includes(n)))
    console.log(`${name}: no baseline bundle, skipped`);
  const runs: Record<string, Record<Variant, ColdInitRun[]>> = {};
  for (const name of names) runs[name] = { baseline: [], current: [] };
  const total = N * names.length;
  progress('cold init', 0, total);
  for (let i = 0; i < N; i++) {
    for (const name of names) {
      // Alternate which goes first, so that neither always runs on a warmer machine.
      const order = i % 2 === 0 ? (['baseline', 'current'] as const) : (['current', 'baseline'] as const);
      const got: Record<string, number> = {};
      for (const variant of order) {
        const run = coldInit(bundlePath(name, variants[variant]), name);
        runs[name]?.[variant].push(run);
        got[variant] = run.initMs;
      }
      progress(
        'cold init',
        i * names.length + names.indexOf(name) + 1,
        total,
        `round ${i + 1}/${N}, ${name}: baseline ${got.baseline?.toFixed(0)} ms, current ${got.current?.toFixed(0)} ms`,
      );
    }
  }

  const results = names.map((name) => {
    const figures = (variant: Variant) =>
      variantFigures(size(bundlePath(name, variants[variant])), runs[name]?.[variant] ?? []);
    return functionFigures(name, figures('baseline'), figures('current'));
  });

  const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  console.log(
    [
      `cold init, median of ${N} (node --enable-source-maps, import of the bundle); baseline ${commit}`,
      row(['function', 'bundle baseline -> current', 'map', 'init ms', 'ratio', 'process ms', 'ratio']),
      row(Array(7).fill('---')),
      ...results.map((r) =>
        row([
          r.name,
          `${kib(r.baseline.bytes)} -> ${kib(r.current.bytes)}`,
          `${kib(r.baseline.mapBytes)} -> ${kib(r.current.mapBytes)}`,
          `${r.baseline.initMs.toFixed(0)} -> ${r.current.initMs.toFixed(0)}`,
          r.initRatio.toFixed(2),
          `${r.baseline.processMs.toFixed(0)} -> ${r.current.processMs.toFixed(0)}`,
          r.processRatio.toFixed(2),
        ]),
      ),
    ].join('\n'),
  );
  const figures: ColdInitFigures = {
    baseline: { ref, commit },
    current: git('rev-parse', '--short', 'HEAD'),
    n: N,
    node: process.version,
    results,
  };
  const report = await writeReport('cold-init', figures, coldInitCharts(figures));
  console.log(`figures: ${report.json}`);
  for (const png of report.pngs) console.log(`chart:   ${png}`);
} finally {
  rmSync(baselineDir, { recursive: true, force: true });
}
