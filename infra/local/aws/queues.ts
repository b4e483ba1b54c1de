import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type QueueAttributeName,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { deadLetterQueueAttributes, jobsQueueAttributes } from './definitions.ts';

export interface ProvisionedQueues {
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
}

/** The DLQ first: the jobs queue's redrive policy names it by ARN, and it must exist. */
export async function ensureJobsQueues(
  sqs: SQSClient,
  queueName: string,
  dlqName: string,
): Promise<ProvisionedQueues> {
  const dlqUrl = await ensureQueue(sqs, dlqName, deadLetterQueueAttributes());
  const dlqArn = await queueArn(sqs, dlqUrl);
  const queueUrl = await ensureQueue(sqs, queueName, jobsQueueAttributes(dlqArn));
  return { queueUrl, queueArn: await queueArn(sqs, queueUrl), dlqUrl, dlqArn };
}

/**
 * CreateQueue fails on an existing queue whose attributes differ, so an existing queue is
 * brought to the wanted attributes instead: a second run converges rather than failing.
 */
async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Partial<Record<QueueAttributeName, string>>,
): Promise<string> {
  const existing = await queueUrl(sqs, name);
  if (existing) {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: existing, Attributes: attributes }));
    return existing;
  }
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  return QueueUrl;
}

async function queueUrl(sqs: SQSClient, name: string): Promise<string | undefined> {
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (error instanceof Error && /QueueDoesNotExist|NonExistentQueue/.test(error.name)) return undefined;
    throw error;
  }
}

export async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  if (!Attributes?.QueueArn) throw new Error(`queue ${url} has no QueueArn`);
  return Attributes.QueueArn;
}

/** Whether the endpoint reports the queue's MessageRetentionPeriod back (AWS and moto do, ElasticMQ does not). */
export async function keepsRetention(sqs: SQSClient, url: string): Promise<boolean> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['MessageRetentionPeriod'] }),
  );
  return Attributes?.MessageRetentionPeriod !== undefined;
}
