import type { Uses } from '../../shared/adapters/iam.ts';

/**
 * The adapter methods publish calls (functions/publish/publish.ts through its deps). CDK grants
 * the function the IAM actions of exactly these (shared/adapters/iam.ts), besides the stream
 * reads of its event source mapping, and the handler wraps each adapter in onlyMethods.
 */
export const USES = {
  EventBridgePublisher: ['publish'],
} as const satisfies Uses;
