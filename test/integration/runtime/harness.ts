// Shared pieces of the runtime tests: the fixture bundle, unique queues on the local SQS
// (ElasticMQ), provisioning, polling.

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildBundle } from '../../../infra/build-bundle.ts';

import { localAwsConfig } from '../../../infra/local/aws/client-config.ts';
import type { MotoServer } from '../../support/moto.ts';
import type { FixtureControl } from './fixtures/recording-handler.ts';

export const repoRoot = resolve(import.meta.dirname, '../../..');

/** Bundles the fixture function as scripts/build-bundles.ts bundles the real ones. */
export async function buildFixtureBundle(): Promise<{ file: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'runtime-bundle-'));
  const file = join(dir, 'recording', 'index.mjs');
  await buildBundle(join(import.meta.dirname, 'fixtures/recording-handler.ts'), file);
  return { file, dir };
}

/** The state the fixture bundle keeps on globalThis; made here so the test can reset it. */
export function fixtureControl(): FixtureControl {
  const holder = globalThis as { __runtimeFixture?: FixtureControl };
  holder.__runtimeFixture ??= { invocations: [], slowMs: 0 };
  return holder.__runtimeFixture;
}

/** A client of an SQS endpoint: ElasticMQ (test/support/elasticmq.ts), or a moto. */
export function sqsClient(server: MotoServer): SQSClient {
  return new SQSClient(localAwsConfig(server.endpoint, server.region));
}

export interface TestQueues {
  url: string;
  arn: string;
  dlqUrl: string;
  dlqArn: string;
}

/**
 * Deletes what the tests created: the stack's servers, when shared, outlive them. Each file calls
 * this in its `after`; a failed delete is ignored, the names are unique anyway.
 */
const createdResources: (() => Promise<unknown>)[] = [];
export async function deleteCreatedResources(): Promise<void> {
  await Promise.allSettled(createdResources.splice(0).map((remove) => remove()));
}

/** A uniquely named queue and its DLQ, with a short visibility timeout for quick retries. */
export async function createTestQueues(
  sqs: SQSClient,
  { visibilityTimeoutSeconds = 1, maxReceiveCount = 3 } = {},
): Promise<TestQueues> {
  const name = `runtime-test-${randomUUID().slice(0, 8)}`;
  const dlqUrl = await createQueue(sqs, `${name}-dlq`, {});
  const dlqArn = await attribute(sqs, dlqUrl, 'QueueArn');
  const url = await createQueue(sqs, name, {
    VisibilityTimeout: String(visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
  });
  return { url, arn: await attribute(sqs, url, 'QueueArn'), dlqUrl, dlqArn };
}

async function createQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!QueueUrl) throw new Error(`no url for ${name}`);
  createdResources.push(() => sqs.send(new DeleteQueueCommand({ QueueUrl })));
  return QueueUrl;
}

export async function attribute(
  sqs: SQSClient,
  url: string,
  name: 'QueueArn' | 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible',
): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [name] }),
  );
  const value = Attributes?.[name];
  if (value === undefined) throw new Error(`${url} has no ${name}`);
  return value;
}

/** Messages still on the queue: visible plus in flight. */
export async function messagesOnQueue(sqs: SQSClient, url: string): Promise<number> {
  const visible = Number(await attribute(sqs, url, 'ApproximateNumberOfMessages'));
  return visible + Number(await attribute(sqs, url, 'ApproximateNumberOfMessagesNotVisible'));
}

/** Sends the bodies in order (batches of 10) and returns their message ids. */
export async function sendBodies(sqs: SQSClient, url: string, bodies: unknown[]): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < bodies.length; start += 10) {
    const chunk = bodies.slice(start, start + 10);
    const { Successful = [], Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: chunk.map((body, i) => ({ Id: String(i), MessageBody: JSON.stringify(body) })),
      }),
    );
    if (Failed.length > 0) throw new Error(`send failed: ${JSON.stringify(Failed)}`);
    ids.push(...Successful.sort((a, b) => Number(a.Id) - Number(b.Id)).map((s) => s.MessageId ?? ''));
  }
  return ids;
}

/** Reads the DLQ until `count` messages were seen or the deadline passes. */
export async function drainDeadLetters(sqs: SQSClient, dlqUrl: string, count: number, timeoutMs: number) {
  const seen: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (seen.length < count && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    seen.push(...Messages);
  }
  return seen;
}

/** Polls `probe` until it returns a value other than undefined, or fails at the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

/** The most invocations that ran at the same time. */
export function maxOverlap(spans: { startedAt: number; endedAt?: number }[]): number {
  const edges = spans.flatMap((s) => [
    { at: s.startedAt, step: 1 },
    { at: s.endedAt ?? Number.POSITIVE_INFINITY, step: -1 },
  ]);
  // At equal times an end comes before a start: back-to-back is no overlap.
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let now = 0;
  let most = 0;
  for (const edge of edges) {
    now += edge.step;
    most = Math.max(most, now);
  }
  return most;
}

/** Resource names for provision.ts (its EJR_* overrides), unique per call. */
export function uniqueResourceNames(prefix: string) {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  return {
    EJR_TABLE_NAME: name,
    EJR_QUEUE_NAME: name,
    EJR_DLQ_NAME: `${name}-dlq`,
    EJR_EVENT_BUS_NAME: name,
  };
}

/**
 * Runs infra/local/aws/provision.ts as stack-up does (the table and bus on moto, the queues on
 * `sqsServer`) and returns its one JSON line; `log` gets what it wrote to stderr.
 */
export async function runProvision(
  moto: MotoServer,
  sqsServer: MotoServer,
  names: Record<string, string>,
  log?: (stderr: string) => void,
): Promise<Record<string, string>> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [join(repoRoot, 'infra/local/aws/provision.ts')],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...names,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ENDPOINT_URL_SQS: sqsServer.endpoint,
        AWS_REGION: moto.region,
      },
      timeout: 60_000,
    },
  );
  const lines = stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`provision.ts printed ${lines.length} lines, not one: ${stdout}`);
  const output = JSON.parse(lines[0] ?? '') as Record<string, string>;
  log?.(stderr);
  const config = localAwsConfig(moto.endpoint, moto.region);
  createdResources.push(async () => {
    const sqs = new SQSClient(localAwsConfig(sqsServer.endpoint, sqsServer.region));
    const dynamodb = new DynamoDBClient(config);
    const eventBridge = new EventBridgeClient(config);
    await Promise.allSettled([
      sqs.send(new DeleteQueueCommand({ QueueUrl: output.queueUrl })),
      sqs.send(new DeleteQueueCommand({ QueueUrl: output.dlqUrl })),
      dynamodb.send(new DeleteTableCommand({ TableName: names.EJR_TABLE_NAME })),
      eventBridge.send(new DeleteEventBusCommand({ Name: names.EJR_EVENT_BUS_NAME })),
    ]);
    for (const client of [sqs, dynamodb, eventBridge]) client.destroy();
  });
  return output;
}

/** The promise's value, or a failure once `timeoutMs` has passed. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, fail) => {
    timer = setTimeout(
      () => fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
