// Renders a benchmark's report into a temp dir and checks every PNG: the charts that each
// benchmark's figures make, as the benchmark would write them.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { type Chart, writeReport } from '../../../test/bench/report/index.ts';
import { readPng } from './png.ts';

export const byId = (charts: Chart[]) => Object.fromEntries(charts.map((c) => [c.id, c]));

/** Writes the report (JSON and PNGs) into a temp dir removed after the file's tests; returns the JSON. */
export async function rendersAll(name: string, figures: unknown, charts: Chart[]) {
  const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const written = await writeReport(name, figures, charts, { dir });
  assert.equal(written.pngs.length, charts.length);
  for (const png of written.pngs) {
    const info = readPng(readFileSync(png));
    assert.ok(info.width >= 600 && info.height >= 300, `${png}: ${info.width}x${info.height}`);
  }
  return JSON.parse(readFileSync(written.json, 'utf8')) as { figures: unknown };
}
