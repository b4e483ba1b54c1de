// The size budget of the bundles (scripts/build-bundles.ts runs it on the real metafiles in npm test).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Metafile } from 'esbuild';
import { checkBudget, inputPackage } from '../../../infra/bundle-budget.ts';
import { BUNDLE_BUDGETS, FUNCTIONS } from '../../../infra/bundling.ts';

const input = (bytesInOutput: number) => ({ bytesInOutput });
const metafile = {
  inputs: {},
  outputs: {
    'dist/functions/submit/index.mjs.map': { bytes: 9_000_000, inputs: {}, imports: [], exports: [] },
    'dist/functions/submit/index.mjs': {
      bytes: 1200,
      imports: [],
      exports: [],
      inputs: {
        'node_modules/@scope/big/dist/a.js': input(500),
        'node_modules/@scope/big/dist/b.js': input(200),
        '../../work/main/node_modules/small/index.js': input(300),
        'shared/core/x.ts': input(150),
        'shared/core/y.ts': input(50),
      },
    },
  },
} as unknown as Metafile;

describe('bundle budget', () => {
  test('passes a bundle within its budget, on one line', () => {
    const result = checkBudget('submit', 'dist/functions/submit/index.mjs', metafile, { submit: 1200 });
    assert.equal(result.ok, true);
    assert.equal(result.text, 'dist/functions/submit/index.mjs 1 KiB (1200 bytes; budget 1200)');
  });

  test('fails a bundle over its budget and lists the inputs by package, largest first', () => {
    const result = checkBudget('submit', 'dist/functions/submit/index.mjs', metafile, { submit: 1000 }, 2);
    assert.equal(result.ok, false);
    const lines = result.text.split('\n');
    assert.match(lines[1] ?? '', /submit is 200 bytes over its budget/);
    assert.deepEqual(
      lines.slice(2).map((line) => line.trim().split(/\s+/).at(-1)),
      ['@scope/big', 'small'],
    );
  });

  test('fails a function that has no budget', () => {
    const result = checkBudget('submit', 'dist/functions/submit/index.mjs', metafile, {});
    assert.equal(result.ok, false);
    assert.match(result.text, /submit has no budget in BUNDLE_BUDGETS/);
  });

  test('names packages under node_modules, and project files by their folder', () => {
    assert.equal(inputPackage('../../x/node_modules/@aws-sdk/core/dist-es/a.js'), '@aws-sdk/core');
    assert.equal(inputPackage('node_modules/zod/v4/core/schemas.js'), 'zod');
    assert.equal(inputPackage('functions/submit/handler.ts'), 'functions/submit');
  });

  test('every function has a budget, publish (the function to come) its 1 MB', () => {
    for (const name of FUNCTIONS) assert.ok(BUNDLE_BUDGETS[name], `no budget for ${name}`);
    assert.equal(BUNDLE_BUDGETS.publish, 1_000_000);
  });
});
