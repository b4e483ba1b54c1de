import type { Uses } from '../../shared/adapters/iam.ts';

/**
 * The adapter methods reconcile calls (functions/reconcile/reconciler.ts through its deps).
 * CDK grants the function the IAM actions of exactly these (shared/adapters/iam.ts), and the
 * handler wraps each adapter in onlyMethods (shared/runtime/only-methods.ts) so that a call to
 * any other method fails loudly in the tests instead of with AccessDenied in AWS.
 */
export const USES = {
  /** Adopting an orphaned Job (create), every state change (replace), admission's re-read (get). */
  DynamoDbJobStore: ['create', 'get', 'replace'],
  /** The resync's scan of the active records, and the re-reads after a lost conditional write. */
  DynamoDbJobQueries: ['getJob', 'getJobs', 'scanActive', 'scanQueue', 'getStates'],
  /** Admission passes: when a job finishes, when a queued one is seen, once an invocation. */
  DynamoDbAdmissionStore: ['admit', 'admitAll', 'usage'],
  /** With CLUSTER_ACCESS=eks, once per container. */
  EksAuth: ['describeCluster'],
} as const satisfies Uses;
