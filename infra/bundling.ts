/**
 * esbuild settings of the Lambda bundles, shared by scripts/build-bundles.ts (the local
 * runtime) and the CDK NodejsFunctions, so the bundle run locally is the one deployed.
 */
export const FUNCTIONS = ['submit', 'reconcile', 'publish'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export const functionEntry = (name: FunctionName): string => `functions/${name}/handler.ts`;

export const BUNDLING = {
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  /** Every dependency is bundled, the AWS SDK included, so the pinned versions run. */
  external: [] as string[],
  mainFields: ['module', 'main'],
  /** Some CommonJS dependencies call require(); ESM bundles need it defined. */
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
} as const;
