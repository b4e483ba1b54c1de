import { FUNCTIONS } from '../../../shared/resources.ts';
import type { FunctionName } from '../../bundling.ts';
import { DUMMY_CREDENTIALS, functionAccessKeyId } from '../aws/client-config.ts';
import type { LocalStack } from '../stack-info.ts';
import type { RuntimeOptions } from './runtime-options.ts';

/**
 * The environment the functions read, as the CDK stacks set it in AWS, pointed at the local
 * stack. It must be in place before a bundle is imported: functions build their clients and
 * read their settings once, at import. The functions share this process (and so one
 * process.env): what differs per function is set just before that function's import.
 * JOB_POLICY / JOB_POLICY_FILE (the operator policy) pass through from the caller's env.
 */
export function functionEnvironment(
  stack: LocalStack,
  options: RuntimeOptions,
  functionName: FunctionName,
): Record<string, string> {
  const common = {
    // Read at import (the Logger is made once), so set per function before its import;
    // the names CDK sets (shared/resources.ts, FUNCTIONS).
    POWERTOOLS_SERVICE_NAME: FUNCTIONS[functionName].serviceName,
    POWERTOOLS_METRICS_NAMESPACE: FUNCTIONS.metricsNamespace,
    AWS_ENDPOINT_URL: stack.aws.endpoint,
    // The SDK's per-service endpoint: a function's SQS calls would go to ElasticMQ, the rest to moto.
    AWS_ENDPOINT_URL_SQS: stack.aws.sqsEndpoint,
    AWS_REGION: stack.aws.region,
    AWS_DEFAULT_REGION: stack.aws.region,
    AWS_ACCESS_KEY_ID: functionAccessKeyId(functionName),
    AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
  };
  if (functionName === 'publish') return { ...common, EVENT_BUS_NAME: stack.aws.eventBusName };
  return {
    ...common,
    JOBS_TABLE_NAME: stack.aws.tableName,
    CLUSTER_ACCESS: 'kubeconfig',
    KUBECONFIG: stack.kubeconfigs[functionName],
    JOBS_NAMESPACES: stack.jobsNamespaces.join(','),
    RECONCILE_WINDOW_SECONDS: String(options.reconcileWindowSeconds),
  };
}

/**
 * Sets a function's environment on this process, dropping credentials that would mix in. What an
 * earlier function set stays: a function may read its variables after its import (reconcile reads
 * KUBECONFIG at its first invocation), so a function run beside others also sees theirs; run it
 * alone (--functions) for an environment of its own only.
 */
export function applyFunctionEnvironment(environment: Record<string, string>): void {
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) {
    delete process.env[name];
  }
  Object.assign(process.env, environment);
}
