#!/usr/bin/env node
// The `ejr` command. From a checkout (npx ejr, npm link) Node 24 runs the TypeScript sources as
// they are. Node refuses to strip types under node_modules, so an installed copy (npm pack, then
// npm install -g) runs dist/cli/ejr.mjs instead: the same sources, bundled by `prepack`.
import { sep } from 'node:path';

// Checked here, where any Node can say it: the sources need type stripping, the bundle's
// dependencies (undici, the AWS SDK) Node 24's APIs.
if (Number(process.versions.node.split('.')[0]) < 24) {
  process.stderr.write(
    `ejr: needs Node 24 or later, not ${process.version} (in a checkout: node_modules/.bin/node)\n`,
  );
  process.exit(1);
}
const installed = import.meta.dirname.split(sep).includes('node_modules');
await import(installed ? '../dist/cli/ejr.mjs' : '../cli/main.ts');
