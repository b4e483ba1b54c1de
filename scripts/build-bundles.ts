// Builds dist/functions/<name>/index.mjs with the settings CDK deploys, prints sizes, and exits 1
// when a bundle is over its budget (BUNDLE_BUDGETS), naming the packages that weigh most.
import { buildBundle } from '../infra/build-bundle.ts';
import { checkBudget } from '../infra/bundle-budget.ts';
import { BUNDLE_BUDGETS, FUNCTIONS, functionEntry } from '../infra/bundling.ts';

let over = 0;
for (const name of FUNCTIONS) {
  const outfile = `dist/functions/${name}/index.mjs`;
  const result = checkBudget(name, outfile, await buildBundle(functionEntry(name), outfile), BUNDLE_BUDGETS);
  console.log(result.text);
  if (!result.ok) over++;
}
if (over > 0) {
  console.error(`${over} bundle(s) over budget (BUNDLE_BUDGETS in infra/bundling.ts)`);
  process.exit(1);
}
