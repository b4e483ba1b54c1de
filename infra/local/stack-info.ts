import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * What infra/local/stack-up.sh started, as it wrote it to stack.json: read by the local
 * runtime (infra/local/runtime) and by the tests (test/support/local-stack.ts).
 */
export interface LocalStack {
  /** The directory with the stack's state, logs and kubeconfigs. */
  dir: string;
  apiServerUrl: string;
  /** Kubeconfigs of the functions' identities: the users infra/k8s/rbac.yaml binds a Role to, one each. */
  kubeconfigs: { submit: string; reconcile: string };
  /** Kubeconfig of a cluster admin, for test setup and for checks the runner may not make. */
  adminKubeconfig: string;
  /** The namespaces jobs run in (PodSecurity `restricted` enforced, the Role bound). */
  jobsNamespaces: string[];
  nodes: string[];
  aws: {
    /** moto: DynamoDB (and its stream), EventBridge, STS, EKS, CloudWatch. */
    endpoint: string;
    /** ElasticMQ: SQS, the jobs queue and its DLQ among its queues (docs/local-sqs.md). */
    sqsEndpoint: string;
    region: string;
    tableName: string;
    queueUrl: string;
    dlqUrl: string;
    eventBusName: string;
  };
  /** Process ids of the stack's servers. */
  pids: Record<string, number>;
}

/** The machine's cache of the project (built binaries, the Python venv, the stack's state). */
export function cacheDir(): string {
  return (
    process.env.EJR_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'eks-job-runner')
  );
}

export function stackDir(): string {
  return process.env.EJR_STACK_DIR ?? join(cacheDir(), 'stack');
}

export function loadLocalStack(): LocalStack {
  const file = join(stackDir(), 'stack.json');
  let stack: LocalStack;
  try {
    stack = JSON.parse(readFileSync(file, 'utf8')) as LocalStack;
  } catch (error) {
    throw new Error(`the local stack is not up (${file} unreadable): run npm run stack:up`, { cause: error });
  }
  return withSqsEndpoint(stack);
}

/** A stack started before SQS moved to ElasticMQ has its queues on moto: `endpoint` serves SQS too. */
export function withSqsEndpoint(stack: LocalStack): LocalStack {
  const aws = stack.aws as Omit<LocalStack['aws'], 'sqsEndpoint'> & { sqsEndpoint?: string };
  return aws.sqsEndpoint ? stack : { ...stack, aws: { ...aws, sqsEndpoint: aws.endpoint } };
}
