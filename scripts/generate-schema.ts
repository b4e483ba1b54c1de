// Writes the contract's JSON Schemas from the code: docs/schema/job-request.v1.json from the request
// schema (shared/core/submit/request-schema.ts) and docs/schema/job-state-change.v1.json from the
// event schema (shared/core/job/event-schema.ts). `--check` exits 1 when a file is out of date
// instead of writing it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stateChangeJsonSchema } from '../shared/core/job/event-schema.ts';
import { jobRequestSchema } from '../shared/core/submit/request-schema.ts';
import * as z from '../shared/core/submit/zod.ts';

export const SCHEMA_FILE = resolve(import.meta.dirname, '../docs/schema/job-request.v1.json');
export const EVENT_SCHEMA_FILE = resolve(import.meta.dirname, '../docs/schema/job-state-change.v1.json');

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

export function renderEventSchema(): string {
  return `${JSON.stringify(stateChangeJsonSchema(), null, 2)}\n`;
}

if (import.meta.main) {
  const check = process.argv.includes('--check');
  let stale = false;
  for (const [file, text] of [
    [SCHEMA_FILE, renderSchema()],
    [EVENT_SCHEMA_FILE, renderEventSchema()],
  ] as const) {
    if (check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {}
      if (current !== text) {
        console.error(`${file} is out of date: run node scripts/generate-schema.ts`);
        stale = true;
      }
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
  if (stale) process.exit(1);
}
