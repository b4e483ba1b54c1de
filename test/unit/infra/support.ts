// Builds the CDK app the way `cdk synth` does (cdk.json's context, then overrides) into a
// temporary cloud assembly directory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../../infra/bin/build-app.ts';
import { PROJECT_ROOT } from '../../../infra/constructs/project-root.ts';

export const CDK_CONTEXT = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context as Record<
  string,
  unknown
>;

export const EXAMPLE_CONTEXT = {
  exampleCluster: 'true',
  kubectlLayerArn: 'arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1',
};

/** Synthesized template JSON: it has no static shape, so the assertions read it untyped. */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template fragments
export type Cfn = any;

export interface SynthOptions {
  /** Run esbuild for the functions' assets; off, CDK stages placeholders (much faster). */
  bundle?: boolean;
}

export function synthApp(context: Record<string, unknown> = {}, options: SynthOptions = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'eks-job-runner-cdk-'));
  after(() => rmSync(outdir, { recursive: true, force: true }));
  const app = new App({
    outdir,
    // aws-cdk-lib's own template checks take seconds per synth; cfn-lint's test covers templates.
    builtinCloudFormationValidation: false,
    context: {
      ...CDK_CONTEXT,
      // nag runs in its own test; here it would only slow every synth down.
      nag: 'false',
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  return { app, outdir, ...buildApp(app) };
}

/** Every value under `value` (depth-first), for scanning a template fragment. */
export function* leaves(value: unknown): Generator<unknown> {
  if (Array.isArray(value)) for (const item of value) yield* leaves(item);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* leaves(item);
  else yield value;
}
