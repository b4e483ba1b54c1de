import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LambdaHandler } from './invoke.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');

/** Where scripts/build-bundles.ts writes a function's bundle: the artifact CDK deploys. */
export function bundlePath(functionName: string, distDir = join(repoRoot, 'dist/functions')): string {
  return join(distDir, functionName, 'index.mjs');
}

/**
 * Imports a function's esbuild bundle and returns its `handler`. Importing is the cold
 * start: the bundle's top level (clients, config) runs now, with the environment as it is,
 * so set the functions' environment before calling this. A second load of the same file
 * returns the same module instance, as a warm container would.
 */
export async function loadBundle<TEvent = unknown, TResult = unknown>(
  file: string,
): Promise<LambdaHandler<TEvent, TResult>> {
  if (!existsSync(file)) throw new Error(`no function bundle at ${file}: run npm run build`);
  const module = (await import(pathToFileURL(file).href)) as { handler?: unknown };
  const { handler } = module;
  if (typeof handler !== 'function') throw new Error(`${file} exports no handler function`);
  // The nodejs24.x runtime refuses callback-style handlers (event, context, callback).
  if (handler.length > 2)
    throw new Error(`${file}: handler takes a callback; nodejs24.x needs an async handler`);
  return handler as LambdaHandler<TEvent, TResult>;
}
