import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { type LocalAwsConfig, localAwsConfig } from '../aws/client-config.ts';
import { cacheDir, type LocalStack } from '../stack-info.ts';
import { StreamConsumer } from './stream-consumer.ts';

/**
 * The jobs table's stream on the local stack, and its one consumer. The lease and checkpoint are
 * named after the stream (its ARN carries the table's name and creation time) in the machine's
 * cache, not in the stack's directory: runtimes started with a stack.json of their own (tests
 * point one at a queue of its own) still share the one consumer of the table they all write.
 */
export async function jobsTableStream(
  stack: LocalStack,
  /** How the consumer reads the stream (in AWS: the function's role); dummy credentials by default. */
  reader: LocalAwsConfig = localAwsConfig(stack.aws.endpoint, stack.aws.region),
): Promise<{ streams: DynamoDBStreamsClient; streamArn: string; consumer: StreamConsumer }> {
  const config = localAwsConfig(stack.aws.endpoint, stack.aws.region);
  const dynamodb = new DynamoDBClient(config);
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: stack.aws.tableName }));
  dynamodb.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`the table ${stack.aws.tableName} has no stream: run npm run stack:up`);
  const dir = join(cacheDir(), 'streams');
  mkdirSync(dir, { recursive: true });
  const key = createHash('sha256').update(`${stack.aws.endpoint} ${streamArn}`).digest('hex').slice(0, 16);
  return {
    streams: new DynamoDBStreamsClient(reader),
    streamArn,
    consumer: new StreamConsumer({
      leaseFile: join(dir, `${key}.pid`),
      checkpointFile: join(dir, `${key}.checkpoint.json`),
    }),
  };
}
