import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bundlePath, loadBundle } from '../../../infra/local/runtime/load-bundle.ts';

const dir = mkdtempSync(join(tmpdir(), 'load-bundle-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function bundle(name: string, source: string): string {
  mkdirSync(join(dir, name), { recursive: true });
  const file = bundlePath(name, dir);
  writeFileSync(file, source);
  return file;
}

describe('loadBundle', () => {
  test('points at dist/functions/<name>/index.mjs by default', () => {
    assert.match(bundlePath('submit'), /dist\/functions\/submit\/index\.mjs$/);
  });

  test('a missing bundle says to build', async () => {
    await assert.rejects(loadBundle(bundlePath('absent', dir)), /run npm run build/);
  });

  test('returns the exported async handler', async () => {
    const handler = await loadBundle(
      bundle('ok', 'export const handler = async (event) => ({ echo: event });'),
    );
    assert.deepEqual(await handler('hi', {} as never), { echo: 'hi' });
  });

  test('a bundle without a handler export is refused', async () => {
    await assert.rejects(
      loadBundle(bundle('none', 'export const main = async () => {};')),
      /exports no handler/,
    );
  });

  test('a callback-style handler is refused, as nodejs24.x does', async () => {
    await assert.rejects(
      loadBundle(
        bundle('callback', 'export const handler = (event, context, callback) => callback(null, 1);'),
      ),
      /callback/,
    );
  });
});
