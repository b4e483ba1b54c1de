import { resolve } from 'node:path';
import type { Metafile } from 'esbuild';

export interface BudgetResult {
  name: string;
  bytes: number;
  budget: number | undefined;
  ok: boolean;
  /** The report: one line, and when over budget the packages that weigh most. */
  text: string;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** `@scope/name` or `name` for a file under node_modules, else the first two path segments. */
export function inputPackage(file: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  return match?.[1] ?? file.split('/').slice(0, 2).join('/');
}

/** Bytes in the output per input package, largest first. */
export function contributors(output: Metafile['outputs'][string]): [string, number][] {
  const byPackage = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = inputPackage(file);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]);
}

/** Checks the bundle `outfile` of function `name`, as esbuild's metafile describes it, against its budget. */
export function checkBudget(
  name: string,
  outfile: string,
  metafile: Metafile,
  budgets: Readonly<Record<string, number>>,
  top = 10,
): BudgetResult {
  // The metafile's paths are relative to the working directory esbuild ran in, as resolve() takes them.
  const output = Object.entries(metafile.outputs).find(([file]) => resolve(file) === resolve(outfile))?.[1];
  if (!output) throw new Error(`${outfile} is not in esbuild's metafile`);
  const { bytes } = output;
  const budget = budgets[name];
  const ok = budget !== undefined && bytes <= budget;
  const line = `${outfile} ${kib(bytes)} (${bytes} bytes; budget ${budget ?? 'none'})`;
  if (ok) return { name, bytes, budget, ok, text: line };
  const why =
    budget === undefined
      ? `${name} has no budget in BUNDLE_BUDGETS (infra/bundling.ts)`
      : `${name} is ${bytes - budget} bytes over its budget; the largest inputs by package:`;
  const rows = contributors(output)
    .slice(0, top)
    .map(([pkg, size]) => `  ${kib(size).padStart(8)}  ${pkg}`);
  return { name, bytes, budget, ok, text: [line, why, ...rows].join('\n') };
}
