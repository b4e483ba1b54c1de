/**
 * Translations of the shared resource shapes (shared/resources.ts) into AWS SDK inputs, so
 * the local stack builds the table and the queues the CDK stacks deploy, not a second copy.
 */
import type {
  CreateTableCommandInput,
  Projection,
  UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { QueueAttributeName } from '@aws-sdk/client-sqs';
import {
  type IndexProjection,
  JOBS_QUEUE,
  JOBS_TABLE,
  type KeyAttribute,
} from '../../../shared/resources.ts';

/** Resource names of the local stack; each overridable by env (tests use unique ones). */
export interface LocalResourceNames {
  tableName: string;
  queueName: string;
  dlqName: string;
  eventBusName: string;
}

export function localResourceNames(env: NodeJS.ProcessEnv = process.env): LocalResourceNames {
  return {
    tableName: env.EJR_TABLE_NAME ?? 'eks-job-runner-jobs',
    queueName: env.EJR_QUEUE_NAME ?? 'eks-job-runner-jobs',
    dlqName: env.EJR_DLQ_NAME ?? 'eks-job-runner-jobs-dlq',
    eventBusName: env.EJR_EVENT_BUS_NAME ?? 'eks-job-runner',
  };
}

export function jobsTableInput(tableName: string): CreateTableCommandInput {
  const keyAttributes = [
    JOBS_TABLE.partitionKey,
    ...JOBS_TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: tableName,
    // On demand, as deployed: no capacity to tune locally either.
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: JOBS_TABLE.partitionKey.name, KeyType: 'HASH' }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: JOBS_TABLE.streamViewType },
    AttributeDefinitions: uniqueByName(keyAttributes).map((a) => ({
      AttributeName: a.name,
      AttributeType: a.type,
    })),
    GlobalSecondaryIndexes: JOBS_TABLE.indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: indexProjection(index.projection),
    })),
  };
}

/** An index's projection as CreateTable takes it (and DescribeTable answers it). */
export function indexProjection(p: IndexProjection): Projection {
  return p.type === 'INCLUDE'
    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...p.attributes] }
    : { ProjectionType: 'KEYS_ONLY' };
}

export function jobsTableTtlInput(tableName: string): UpdateTimeToLiveCommandInput {
  return {
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: JOBS_TABLE.ttlAttribute, Enabled: true },
  };
}

export function deadLetterQueueAttributes(): Partial<Record<QueueAttributeName, string>> {
  return { MessageRetentionPeriod: String(JOBS_QUEUE.dlqRetentionSeconds) };
}

export function jobsQueueAttributes(dlqArn: string): Partial<Record<QueueAttributeName, string>> {
  return {
    VisibilityTimeout: String(JOBS_QUEUE.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(JOBS_QUEUE.retentionSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: JOBS_QUEUE.maxReceiveCount,
    }),
  };
}

/** Two indexes may share a key attribute; DynamoDB rejects a duplicated definition. */
function uniqueByName(attributes: KeyAttribute[]): KeyAttribute[] {
  const byName = new Map<string, KeyAttribute>();
  for (const attribute of attributes) {
    const seen = byName.get(attribute.name);
    if (seen && seen.type !== attribute.type) {
      throw new Error(
        `key attribute ${attribute.name} is defined as both ${seen.type} and ${attribute.type}`,
      );
    }
    byName.set(attribute.name, attribute);
  }
  return [...byName.values()];
}
