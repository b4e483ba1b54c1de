/**
 * The deployment's parameters, read from CDK context: cdk.json holds the defaults (with
 * placeholder account and region, so synth never calls AWS) and `-c key=value` overrides
 * them; the reconcile window defaults to FUNCTIONS (shared/resources.ts), as the handler's
 * does. Values from the command line arrive as strings, so every reader accepts both.
 */
import { readFileSync } from 'node:fs';
import { RemovalPolicy } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import { FUNCTIONS } from '../../shared/resources.ts';
import type { JobRunnerProps, ScheduledJobConfig, SubmitTuning } from '../constructs/job-runner.ts';
import type { VpcPlacementIds } from '../stacks/job-runner-stack.ts';

export interface AppConfig {
  account: string;
  region: string;
  stackName: string;
  clusterName: string;
  jobsNamespaces: string[];
  /** The operator policy JSON: context jobPolicyFile (a path) or else jobPolicy (inline). */
  jobPolicy: string;
  reconcileWindowSeconds: number;
  reconcileLagThresholdSeconds: number;
  submit: SubmitTuning;
  vpcPlacement?: VpcPlacementIds;
  tableRemovalPolicy: RemovalPolicy;
  alarmTopicArn?: string;
  /** An ADOT Lambda layer (arm64) for the functions: the code's spans to X-Ray; else active tracing only. */
  adotLayerArn?: string;
  scheduledJobs: ScheduledJobConfig[];
  functionEnvironment: NonNullable<JobRunnerProps['functionEnvironment']>;
  /** Adds the example stack that creates a cluster (its kubectl layer: kubectlLayerArn, or the package's). */
  exampleCluster: boolean;
  kubectlLayerArn?: string;
  /** The example VPC's AZs; empty for the stack's default. */
  availabilityZones: string[];
  /** Run the cdk-nag AwsSolutions checks during synth (default on). */
  nag: boolean;
}

export function readConfig(node: Node): AppConfig {
  const read = (key: string): unknown => node.tryGetContext(key);
  const vpcId = text(read('vpcId'));
  return {
    account: required(read, 'account'),
    region: required(read, 'region'),
    stackName: text(read('stackName')) ?? 'EksJobRunner',
    clusterName: required(read, 'clusterName'),
    jobsNamespaces: list(read('jobsNamespaces')),
    jobPolicy: jobPolicy(read),
    reconcileWindowSeconds: int(read, 'reconcileWindowSeconds', FUNCTIONS.reconcile.windowSeconds),
    reconcileLagThresholdSeconds: int(read, 'reconcileLagThresholdSeconds', 120),
    submit: {
      batchSize: int(read, 'submitBatchSize', 10),
      maxBatchingWindowSeconds: int(read, 'submitMaxBatchingWindowSeconds', 1),
      maxConcurrency: int(read, 'submitMaxConcurrency', 10),
    },
    vpcPlacement: vpcId
      ? { vpcId, subnetIds: list(read('subnetIds')), securityGroupIds: list(read('securityGroupIds')) }
      : undefined,
    tableRemovalPolicy: removalPolicy(text(read('tableRemovalPolicy')) ?? 'retain'),
    alarmTopicArn: text(read('alarmTopicArn')),
    adotLayerArn: text(read('adotLayerArn')),
    scheduledJobs: scheduledJobs(read('scheduledJobs')),
    functionEnvironment: functionEnvironment(read('functionEnvironment')),
    exampleCluster: flag(read('exampleCluster'), false),
    kubectlLayerArn: text(read('kubectlLayerArn')),
    availabilityZones: list(read('availabilityZones')),
    nag: flag(read('nag'), true),
  };
}

function jobPolicy(read: (key: string) => unknown): string {
  const file = text(read('jobPolicyFile'));
  if (file) return readFileSync(file, 'utf8');
  const inline = read('jobPolicy');
  return typeof inline === 'object' && inline !== null ? JSON.stringify(inline) : (text(inline) ?? '{}');
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function required(read: (key: string) => unknown, key: string): string {
  const value = text(read(key));
  if (!value) throw new Error(`context "${key}" is required: set it in cdk.json or pass -c ${key}=...`);
  return value;
}

function list(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : (text(value)?.split(',') ?? []);
  return items.map((item) => item.trim()).filter(Boolean);
}

function int(read: (key: string) => unknown, key: string, fallback: number): number {
  const value = text(read(key));
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`context "${key}" must be an integer, not "${value}"`);
  return n;
}

function flag(value: unknown, fallback: boolean): boolean {
  const value_ = text(value);
  return value_ === undefined ? fallback : value_ === 'true';
}

function removalPolicy(value: string): RemovalPolicy {
  const policies: Record<string, RemovalPolicy> = {
    retain: RemovalPolicy.RETAIN,
    destroy: RemovalPolicy.DESTROY,
  };
  const policy = policies[value.toLowerCase()];
  if (!policy) throw new Error(`context "tableRemovalPolicy" must be retain or destroy, not "${value}"`);
  return policy;
}

function scheduledJobs(value: unknown): ScheduledJobConfig[] {
  const jobs = typeof value === 'string' ? JSON.parse(value) : (value ?? []);
  if (!Array.isArray(jobs)) throw new Error('context "scheduledJobs" must be a list');
  return jobs.map((job: Partial<ScheduledJobConfig>) => {
    if (!job.name || !job.schedule || typeof job.request !== 'object') {
      throw new Error('each scheduled job needs name, schedule and request');
    }
    return { name: job.name, schedule: job.schedule, timeZone: job.timeZone, request: job.request };
  });
}

function functionEnvironment(value: unknown): AppConfig['functionEnvironment'] {
  const parsed = typeof value === 'string' ? JSON.parse(value || '{}') : (value ?? {});
  const strings = (env: unknown) =>
    Object.fromEntries(
      Object.entries((env ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
    );
  return {
    submit: strings(parsed.submit),
    reconcile: strings(parsed.reconcile),
    publish: strings(parsed.publish),
  };
}
