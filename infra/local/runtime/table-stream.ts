import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { localAwsConfig } from '../aws/client-config.ts';
import type { LocalStack } from '../stack-info.ts';
import { StreamConsumer } from './stream-consumer.ts';

/**
 * The jobs table's stream on the local stack, and its one consumer: the lease and checkpoint
 * live in the stack's directory, shared by every runtime and test of this machine.
 */
export async function jobsTableStream(
  stack: LocalStack,
): Promise<{ streams: DynamoDBStreamsClient; streamArn: string; consumer: StreamConsumer }> {
  const config = localAwsConfig(stack.aws.endpoint, stack.aws.region);
  const dynamodb = new DynamoDBClient(config);
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: stack.aws.tableName }));
  dynamodb.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`the table ${stack.aws.tableName} has no stream: run npm run stack:up`);
  return {
    streams: new DynamoDBStreamsClient(config),
    streamArn,
    consumer: new StreamConsumer({
      leaseFile: join(stack.dir, 'stream-consumer.pid'),
      checkpointFile: join(stack.dir, 'stream-checkpoint.json'),
    }),
  };
}
