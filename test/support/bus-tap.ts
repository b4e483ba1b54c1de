// The queues that follow the bus in tests (an EventBridge rule with an SQS target) are on moto's
// SQS, not on the stack's SQS (ElasticMQ): moto's EventBridge delivers an SQS target in-process
// to moto's own SQS backend, by the queue name in the ARN, and cannot reach another server. Worse,
// a rule whose target names a queue moto does not have makes every PutEvents on the bus fail
// (QueueDoesNotExist, moto 5.2.5): a tap queue on ElasticMQ (its ARN has the same form, so
// PutTargets takes it) would break the publish function for everyone on the stack.
import { SQSClient } from '@aws-sdk/client-sqs';
import { localAwsConfig } from '../../infra/local/aws/client-config.ts';
import type { LocalStack } from './local-stack.ts';

/** A client of moto's SQS, for a bus tap's queue only; the jobs queues are on `aws.sqsEndpoint`. */
export function tapQueueClient(stack: LocalStack): SQSClient {
  return new SQSClient(localAwsConfig(stack.aws.endpoint, stack.aws.region));
}
