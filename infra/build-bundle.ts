import { build } from 'esbuild';
import { BUNDLING } from './bundling.ts';

/** Bundles one entry with the settings CDK deploys (infra/bundling.ts) into `outfile`. */
export async function buildBundle(
  entry: string,
  outfile: string,
  logLevel: 'warning' | 'silent' = 'warning',
) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: BUNDLING.platform,
    format: BUNDLING.format,
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourcemap,
    external: BUNDLING.external,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    logLevel,
  });
}
