import type { Uses } from '../../shared/adapters/iam.ts';

/**
 * The adapter methods submit calls (functions/submit/*.ts through its deps). CDK grants the
 * function the IAM actions of exactly these (shared/adapters/iam.ts), and the handler wraps
 * each adapter in onlyMethods (shared/runtime/only-methods.ts) so that a call to any other
 * method fails loudly in the tests instead of with AccessDenied in AWS.
 */
export const USES = {
  /** createAll: a batch's new records in one transaction (batch-creates.ts). */
  DynamoDbJobStore: ['create', 'createAll', 'get', 'replace'],
  /** The batch's cancel check and the dependencies' states; the admission pass's read of the queue. */
  DynamoDbJobQueries: ['getStates', 'getJobs', 'scanQueue'],
  /** The admission pass after a batch that queued or resumed a job. */
  DynamoDbAdmissionStore: ['admit', 'admitAll', 'usage'],
  /** With CLUSTER_ACCESS=eks, once per container. */
  EksAuth: ['describeCluster'],
} as const satisfies Uses;
