// writeReport: the JSON beside one PNG per chart, in EJR_BENCH_OUT or bench-results/ (git-ignored).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../../infra/constructs/project-root.ts';
import {
  bars,
  benchOutDir,
  type ReportFile,
  samples,
  writeReport,
} from '../../../test/bench/report/index.ts';
import { readPng } from './png.ts';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('writeReport', () => {
  it('writes <name>.json with the figures and <name>-<id>.png per chart', async () => {
    const dir = tempDir();
    const figures = { n: 5, medianMs: 137.5, none: Number.NaN, runs: [{ initMs: 130 }] };
    const written = await writeReport(
      'cold-init',
      figures,
      [
        {
          id: 'latency',
          kind: 'latency',
          title: 'init',
          unit: 'ms',
          samples: [...samples('baseline', [280, 290, 300]), ...samples('ours', [130, 135, 140])],
          baseline: 'baseline',
        },
        {
          id: 'medians',
          kind: 'bars',
          title: 'medians',
          bars: bars('init ms', { baseline: 290, ours: 135 }),
        },
      ],
      { dir, now: new Date('2026-01-02T03:04:05.000Z') },
    );
    assert.equal(written.json, join(dir, 'cold-init.json'));
    assert.deepEqual(written.pngs, [join(dir, 'cold-init-latency.png'), join(dir, 'cold-init-medians.png')]);
    assert.deepEqual(readdirSync(dir).sort(), [
      'cold-init-latency.png',
      'cold-init-medians.png',
      'cold-init.json',
    ]);

    const report = JSON.parse(readFileSync(written.json, 'utf8')) as ReportFile<Record<string, unknown>>;
    assert.equal(report.benchmark, 'cold-init');
    assert.equal(report.at, '2026-01-02T03:04:05.000Z');
    assert.equal(report.node, process.version);
    assert.ok(report.machine.cpus > 0);
    assert.deepEqual(report.figures, { n: 5, medianMs: 137.5, none: null, runs: [{ initMs: 130 }] });
    assert.deepEqual(report.charts, { latency: 'cold-init-latency.png', medians: 'cold-init-medians.png' });
    for (const png of written.pngs) assert.ok(readPng(readFileSync(png)).width > 0);
  });

  it('writes a report without charts as the JSON alone, and makes the directory', async () => {
    const dir = join(tempDir(), 'nested', 'out');
    const written = await writeReport('empty', { ok: true }, [], { dir });
    assert.deepEqual(written.pngs, []);
    assert.deepEqual(readdirSync(dir), ['empty.json']);
  });

  it('refuses names that would not make plain file names, and repeated chart ids', async () => {
    const dir = tempDir();
    const bar = { id: 'a', kind: 'bars' as const, title: 't', bars: [] };
    await assert.rejects(writeReport('../escape', {}, [], { dir }), /report name/);
    await assert.rejects(writeReport('ok', {}, [{ ...bar, id: 'A b' }], { dir }), /chart id/);
    await assert.rejects(writeReport('ok', {}, [bar, bar], { dir }), /repeat/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('goes to EJR_BENCH_OUT when it is set', async () => {
    const dir = tempDir();
    const saved = process.env.EJR_BENCH_OUT;
    process.env.EJR_BENCH_OUT = dir;
    try {
      const written = await writeReport('env', { ok: true }, []);
      assert.equal(written.json, join(dir, 'env.json'));
    } finally {
      if (saved === undefined) delete process.env.EJR_BENCH_OUT;
      else process.env.EJR_BENCH_OUT = saved;
    }
  });
});

describe('benchOutDir', () => {
  it('is bench-results/ in the repository root by default, and git ignores it', () => {
    const dir = benchOutDir({});
    assert.equal(dir, join(PROJECT_ROOT, 'bench-results'));
    if (existsSync(join(PROJECT_ROOT, '.git'))) {
      const ignored = execFileSync('git', ['check-ignore', 'bench-results/cold-init.json'], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      });
      assert.equal(ignored.trim(), 'bench-results/cold-init.json');
    }
  });

  it('is EJR_BENCH_OUT when set, relative to the working directory', () => {
    assert.equal(benchOutDir({ EJR_BENCH_OUT: '/tmp/x' }), '/tmp/x');
    assert.equal(benchOutDir({ EJR_BENCH_OUT: 'out/bench' }), resolve('out/bench'));
  });
});
