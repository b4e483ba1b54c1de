// Builds dist/functions/<name>/index.mjs with the settings CDK deploys, and prints sizes.
import { statSync } from 'node:fs';
import { buildBundle } from '../infra/build-bundle.ts';
import { FUNCTIONS, functionEntry } from '../infra/bundling.ts';

for (const name of FUNCTIONS) {
  const outfile = `dist/functions/${name}/index.mjs`;
  await buildBundle(functionEntry(name), outfile);
  console.log(`${outfile} ${(statSync(outfile).size / 1024).toFixed(0)} KiB`);
}
