// Builds dist/functions/<name>/index.mjs with the settings CDK deploys, and prints sizes.

import { statSync } from 'node:fs';
import { build } from 'esbuild';
import { BUNDLING, FUNCTIONS, functionEntry } from '../infra/bundling.ts';

for (const name of FUNCTIONS) {
  const outfile = `dist/functions/${name}/index.mjs`;
  await build({
    entryPoints: [functionEntry(name)],
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
    logLevel: 'warning',
  });
  console.log(`${outfile} ${(statSync(outfile).size / 1024).toFixed(0)} KiB`);
}
