// Bundles the ejr command (cli/main.ts) into dist/cli/ejr.mjs, which an installed copy runs
// (bin/ejr.js): Node does not strip types under node_modules. Run by `prepack`.
import { statSync } from 'node:fs';
import { build } from 'esbuild';

const outfile = 'dist/cli/ejr.mjs';
await build({
  entryPoints: ['cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  // error names are matched (CliError, the AWS SDK's), and stack traces stay readable
  keepNames: true,
  // Some CommonJS dependencies call require(); an ESM bundle must define it.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
console.log(`${outfile} ${(statSync(outfile).size / 1024).toFixed(0)} KiB`);
