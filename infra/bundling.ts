/**
 * esbuild settings of the Lambda bundles, shared by scripts/build-bundles.ts (the local
 * runtime) and the CDK NodejsFunctions, so the bundle run locally is the one deployed.
 */
export const FUNCTIONS = ['submit', 'reconcile', 'publish'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export const functionEntry = (name: FunctionName): string => `functions/${name}/handler.ts`;

/**
 * The most bytes each function's index.mjs may have (1 MB = 10^6 bytes): a smaller bundle is a
 * shorter cold start. scripts/build-bundles.ts fails above it (CI runs it in npm test) and names
 * the packages that weigh most. Every function in FUNCTIONS needs one; `publish`, the
 * stream-triggered function to come, has its budget already.
 */
export const BUNDLE_BUDGETS: Readonly<Record<string, number>> = {
  submit: 1_000_000,
  reconcile: 1_500_000,
  publish: 1_000_000,
};

const UNSUPPORTED = 'shared/aliases/unsupported.ts';
const NODE_HTTP = 'shared/aliases/node-http.ts';

export const BUNDLING = {
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  /**
   * The map names the sources but does not embed them: --enable-source-maps parses the map at
   * init, and the sources would make it 7.5 MB. Stack traces keep their TypeScript lines.
   */
  sourcesContent: false,
  /** Every dependency is bundled, the AWS SDK included, so the pinned versions run. */
  external: [] as string[],
  mainFields: ['module', 'main'],
  /**
   * Modules replaced by a file of this repository (paths from the project root): undici by a
   * fetch on node:https, the proxy and auth-provider dependencies of client-node's kubeconfig by
   * stubs that fail when used, node:http by the same module required. Each file says why.
   */
  alias: {
    undici: 'shared/aliases/undici.ts',
    http: NODE_HTTP,
    'node:http': NODE_HTTP,
    socks: UNSUPPORTED,
    'socks-proxy-agent': UNSUPPORTED,
    hpagent: UNSUPPORTED,
    'jsonpath-plus': UNSUPPORTED,
    'openid-client': UNSUPPORTED,
  } as Record<string, string>,
  /** Some CommonJS dependencies call require(); ESM bundles need it defined. */
  banner:
    "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
} as const;
