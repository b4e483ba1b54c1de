// Writes docs/schema/job-request.v1.json from the runtime schema (shared/core/submit/request-schema.ts).
// `--check` exits 1 when the file is out of date instead of writing it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { jobRequestSchema } from '../shared/core/submit/request-schema.ts';
import * as z from '../shared/core/submit/zod.ts';

export const SCHEMA_FILE = resolve(import.meta.dirname, '../docs/schema/job-request.v1.json');

export function renderSchema(): string {
  const schema = z.toJSONSchema(jobRequestSchema, { io: 'input', unrepresentable: 'any' });
  const document = {
    ...schema,
    $id: 'https://eks-job-runner.io/schema/job-request.v1.json',
    title: 'eks-job-runner job request v1',
    description:
      'The JSON body of a message on the jobs queue: a submit (action absent or "submit") or a cancel. ' +
      'Generated from shared/core/submit/request-schema.ts by scripts/generate-schema.ts; checks that JSON Schema ' +
      'cannot express (Kubernetes syntax, reserved prefixes, cross-field rules) are listed in docs/request.md.',
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (import.meta.main) {
  const text = renderSchema();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(SCHEMA_FILE, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`${SCHEMA_FILE} is out of date: run node scripts/generate-schema.ts`);
      process.exit(1);
    }
  } else {
    mkdirSync(dirname(SCHEMA_FILE), { recursive: true });
    writeFileSync(SCHEMA_FILE, text);
    console.log(`wrote ${SCHEMA_FILE}`);
  }
}
