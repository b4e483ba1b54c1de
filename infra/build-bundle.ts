import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { BUNDLING } from './bundling.ts';
import { PROJECT_ROOT } from './constructs/project-root.ts';

/** BUNDLING.alias with absolute paths, as esbuild takes them from any working directory. */
export const aliasPaths = (): Record<string, string> =>
  Object.fromEntries(Object.entries(BUNDLING.alias).map(([name, file]) => [name, join(PROJECT_ROOT, file)]));

/**
 * Bundles one entry with the settings CDK deploys (infra/bundling.ts) into `outfile`; returns
 * esbuild's metafile (what each input adds to the output), which the size budget reads.
 */
export async function buildBundle(
  entry: string,
  outfile: string,
  logLevel: 'warning' | 'silent' = 'warning',
): Promise<Metafile> {
  const { metafile } = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: BUNDLING.platform,
    format: BUNDLING.format,
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourcemap,
    sourcesContent: BUNDLING.sourcesContent,
    external: BUNDLING.external,
    mainFields: [...BUNDLING.mainFields],
    alias: aliasPaths(),
    banner: { js: BUNDLING.banner },
    logLevel,
    metafile: true,
  });
  return metafile;
}
