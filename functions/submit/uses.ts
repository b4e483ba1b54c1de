import type { Uses } from '../../shared/adapters/iam.ts';

/**
 * The adapter methods submit calls (functions/submit/*.ts through its deps). CDK grants the
 * function the IAM actions of exactly these (shared/adapters/iam.ts), and the handler wraps
 * each adapter in onlyMethods (shared/runtime/only-methods.ts) so that a call to any other
 * method fails loudly in the tests instead of with AccessDenied in AWS.
 */
export const USES = {
  DynamoDbJobStore: ['create', 'get', 'replace'],
  /** The batch's cancel check: one consistent read of the created records' states. */
  DynamoDbJobQueries: ['getStates'],
  /** With CLUSTER_ACCESS=eks, once per container. */
  EksAuth: ['describeCluster'],
} as const satisfies Uses;
