// A benchmark's report on disk: `<dir>/<name>.json` (the figures, with when and where they were
// taken) and one `<dir>/<name>-<chart id>.png` per chart. The directory is EJR_BENCH_OUT when set
// (relative to the working directory), else bench-results/ in the repository root (git-ignored).
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import type { Chart } from './chart.ts';
import { renderPng } from './render.ts';
import { chartSpec } from './spec.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const ID = /^[a-z0-9][a-z0-9-]*$/;

/** Where reports go: EJR_BENCH_OUT, else <repository root>/bench-results. */
export function benchOutDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.EJR_BENCH_OUT ? resolve(env.EJR_BENCH_OUT) : join(ROOT, 'bench-results');
}

export interface ReportFile<F> {
  benchmark: string;
  /** ISO time the report was written. */
  at: string;
  node: string;
  machine: { cpus: number; platform: string };
  figures: F;
  /** The PNG files beside the JSON, by chart id. */
  charts: Record<string, string>;
}

export interface WrittenReport {
  json: string;
  pngs: string[];
}

/**
 * Writes the figures as JSON and each chart as a PNG; returns the paths. Non-finite numbers in the
 * figures are written as null (JSON has no NaN); charts leave them out.
 */
export async function writeReport<F>(
  name: string,
  figures: F,
  charts: Chart[],
  options: { dir?: string; now?: Date } = {},
): Promise<WrittenReport> {
  if (!ID.test(name)) throw new Error(`report name ${JSON.stringify(name)}: lower case, digits and dashes`);
  const ids = charts.map((c) => c.id);
  for (const id of ids)
    if (!ID.test(id)) throw new Error(`chart id ${JSON.stringify(id)}: lower case, digits and dashes`);
  if (new Set(ids).size !== ids.length) throw new Error(`chart ids repeat: ${ids.join(', ')}`);

  const dir = options.dir ?? benchOutDir();
  mkdirSync(dir, { recursive: true });
  const pngs: string[] = [];
  const files: Record<string, string> = {};
  for (const chart of charts) {
    const file = `${name}-${chart.id}.png`;
    writeFileSync(join(dir, file), await renderPng(chartSpec(chart)));
    pngs.push(join(dir, file));
    files[chart.id] = file;
  }
  const report: ReportFile<F> = {
    benchmark: name,
    at: (options.now ?? new Date()).toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, platform: `${process.platform}-${process.arch}` },
    figures,
    charts: files,
  };
  const json = join(dir, `${name}.json`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  return { json, pngs };
}
