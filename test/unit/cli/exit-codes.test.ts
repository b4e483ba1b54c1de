import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { EXIT, EXIT_CODES, exitCodeForState } from '../../../cli/exit-codes.ts';
import { ACTIVE_STATES, TERMINAL_STATES } from '../../../shared/core/job/state.ts';

describe('exit codes', () => {
  it('are distinct, one per name', () => {
    const codes = EXIT_CODES.map((r) => r.code);
    assert.equal(new Set(codes).size, codes.length);
    assert.equal(new Set(EXIT_CODES.map((r) => r.name)).size, codes.length);
    assert.equal(EXIT.ok, 0);
  });

  it('map each terminal state to its own code, SUCCEEDED to 0, and no active state to any', () => {
    assert.deepEqual(Object.fromEntries(TERMINAL_STATES.map((s) => [s, exitCodeForState(s)])), {
      SUCCEEDED: 0,
      FAILED: 10,
      TIMED_OUT: 11,
      CANCELLED: 12,
      REJECTED: 13,
      LOST: 14,
    });
    for (const state of ACTIVE_STATES) assert.equal(exitCodeForState(state), undefined);
    const failures = TERMINAL_STATES.map(exitCodeForState).filter((c) => c !== 0);
    assert.ok(!failures.includes(EXIT.waitTimeout) && !failures.includes(EXIT.notFound));
  });

  it('are the ones docs/cli.md lists', () => {
    const doc = readFileSync(resolve(import.meta.dirname, '../../../docs/cli.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| (\d+) +\| `(\w+)` +\|/gm)].map((m) => ({
      code: Number(m[1]),
      name: m[2],
    }));
    assert.deepEqual(
      rows,
      EXIT_CODES.map(({ code, name }) => ({ code, name })),
    );
  });
});
