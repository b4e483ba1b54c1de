import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as eksv2 from 'aws-cdk-lib/aws-eks-v2';
import { FUNCTIONS, JOBS_QUEUE } from '../../shared/resources.ts';
import { assertNamespace } from './cluster-rbac.ts';
import { assertVisibilityCoversRetries } from './jobs-queue.ts';
import type { VpcPlacement } from './runner-function.ts';

/** What a JobRunner is configured with, and the checks its configuration must pass at synth. */

export interface ClusterRef {
  name: string;
  arn: string;
  /** Set when this app creates the cluster: RBAC is then applied by CDK. */
  managed?: eksv2.ICluster;
}

export interface SubmitTuning {
  batchSize: number;
  maxBatchingWindowSeconds: number;
  /** The most concurrent submit invocations the queue may drive (2 to 1000). */
  maxConcurrency: number;
}

export interface ScheduledJobConfig {
  name: string;
  schedule: string;
  timeZone?: string;
  request: Record<string, unknown>;
}

export interface JobRunnerProps {
  cluster: ClusterRef;
  jobsNamespaces: string[];
  /** Operator policy JSON, handed to submit as JOB_POLICY. */
  jobPolicy: string;
  /** How long each reconcile invocation watches; its timeout is this plus FUNCTIONS.reconcile.flushSeconds. */
  reconcileWindowSeconds: number;
  submit: SubmitTuning;
  placement?: VpcPlacement;
  tableRemovalPolicy: RemovalPolicy;
  alarmTopicArn?: string;
  reconcileLagThresholdSeconds?: number;
  scheduledJobs?: ScheduledJobConfig[];
  /**
   * An ADOT Lambda layer (arm64) on all three functions, which records the spans the code opens
   * (docs/deploy.md, "Tracing"); without it, active tracing only.
   */
  adotLayerArn?: string;
  /**
   * Further settings each function reads (e.g. RETENTION_DAYS, PENDING_LIMIT_SECONDS for
   * reconcile; SUBMIT_CONCURRENCY for submit), passed through as environment variables.
   */
  functionEnvironment?: {
    submit?: Record<string, string>;
    reconcile?: Record<string, string>;
    publish?: Record<string, string>;
  };
}

/** The environment CDK manages; extra settings may not override these. */
const MANAGED_ENVIRONMENT = [
  'JOBS_TABLE_NAME',
  'EVENT_BUS_NAME',
  'CLUSTER_ACCESS',
  'EKS_CLUSTER_NAME',
  'JOBS_NAMESPACES',
  'JOB_POLICY',
  'SCHEDULE_PRINCIPALS',
  'RECONCILE_WINDOW_SECONDS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'NODE_OPTIONS',
  'AWS_LAMBDA_EXEC_WRAPPER',
];
/** Lambda allows 4 KB of environment in all; the policy must leave room for the rest. */
const MAX_POLICY_BYTES = 3072;

export function validate(props: JobRunnerProps): void {
  if (props.jobsNamespaces.length === 0) throw new Error('at least one jobs namespace is needed');
  for (const namespace of props.jobsNamespaces) assertNamespace(namespace);
  const window = props.reconcileWindowSeconds;
  const { minWindowSeconds: min, maxWindowSeconds: max } = FUNCTIONS.reconcile;
  if (!Number.isInteger(window) || window < min || window > max) {
    throw new Error(`reconcileWindowSeconds must be an integer from ${min} to ${max}`);
  }
  for (const [name, environment] of Object.entries(props.functionEnvironment ?? {})) {
    const clash = Object.keys(environment ?? {}).filter((key) => MANAGED_ENVIRONMENT.includes(key));
    if (clash.length > 0) throw new Error(`functionEnvironment.${name} may not set ${clash.join(', ')}`);
  }
  assertVisibilityCoversRetries(JOBS_QUEUE.visibilityTimeoutSeconds, FUNCTIONS.submit.timeoutSeconds);
}

/** Minified, because the policy shares Lambda's 4 KB of environment with everything else. */
export function minifiedPolicy(policy: string): string {
  let minified: string;
  try {
    minified = JSON.stringify(JSON.parse(policy));
  } catch (error) {
    throw new Error(`jobPolicy is not JSON: ${(error as Error).message}`);
  }
  const bytes = Buffer.byteLength(minified);
  if (bytes > MAX_POLICY_BYTES)
    throw new Error(`jobPolicy is ${bytes} bytes minified; at most ${MAX_POLICY_BYTES} fit`);
  return minified;
}
