import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { JOBS_QUEUE } from '../../shared/resources.ts';

/**
 * The job-request queue and its dead-letter queue, shaped by JOBS_QUEUE so that the local
 * stack and AWS run the same redrive and visibility settings.
 */
export class JobsQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // SQS-managed keys: encrypted at rest without a KMS key that producers must be granted.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(JOBS_QUEUE.dlqRetentionSeconds),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(JOBS_QUEUE.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(JOBS_QUEUE.retentionSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: JOBS_QUEUE.maxReceiveCount },
    });
  }
}

/** Lambda's SQS guidance: a message must outlive six attempts of the consumer's timeout. */
export function assertVisibilityCoversRetries(
  visibilitySeconds: number,
  consumerTimeoutSeconds: number,
): void {
  if (visibilitySeconds < 6 * consumerTimeoutSeconds) {
    throw new Error(
      `queue visibility timeout ${visibilitySeconds}s is less than 6x the submit timeout ${consumerTimeoutSeconds}s`,
    );
  }
}
