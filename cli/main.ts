// The entry of `ejr` (bin/ejr.js imports it): the real I/O, clock and AWS connector.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { Deps } from './context.ts';
import { run } from './program.ts';
import { connector } from './target.ts';

const deps: Deps = {
  io: {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    errIsTTY: Boolean(process.stderr.isTTY),
    readText: (path) => readFileSync(path === '-' ? 0 : path, 'utf8'),
  },
  connect: connector,
  now: () => Date.now(),
  sleep: (ms) => delay(ms),
  newJobId: () => randomUUID(),
};

// exitCode, not exit(): stdout is flushed before the process ends
process.exitCode = await run(process.argv.slice(2), deps);
