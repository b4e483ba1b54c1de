// The recording proxy against a moto of its own, with the real SDK clients the functions use:
// every call goes through (its answer is moto's) and is recorded as the IAM action IAM would
// authorize, on the resource ARNs IAM would evaluate it on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeLimitsCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import {
  CreateClusterCommand,
  DescribeClusterCommand,
  EKSClient,
  ListClustersCommand,
} from '@aws-sdk/client-eks';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type RecordedCall,
  type RecordingProxy,
  startRecordingProxy,
} from '../../support/iam/recording-proxy.ts';
import { type MotoServer, startMoto } from '../../support/moto.ts';

const KEY = 'AKIARECORDINGPROXY01';
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const TABLE = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/records`;

let moto: MotoServer;
let proxy: RecordingProxy;
let config: {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
};

before(async () => {
  moto = await startMoto();
  proxy = await startRecordingProxy(moto.endpoint);
  config = {
    endpoint: proxy.endpoint,
    region: REGION,
    credentials: { accessKeyId: KEY, secretAccessKey: 's' },
  };
});
after(async () => {
  await proxy?.stop();
  await moto?.stop();
});

/** The calls `run` made, with what matters here (the status, the key and the operation aside). */
async function recorded(run: () => Promise<unknown>): Promise<Pick<RecordedCall, 'action' | 'resources'>[]> {
  const from = proxy.calls.length;
  await run();
  const calls = proxy.calls.slice(from);
  for (const call of calls) {
    assert.equal(call.accessKeyId, KEY);
    assert.ok(call.status < 500, `${call.operation} answered ${call.status}`);
  }
  return calls.map(({ action, resources, unmapped, reason }) => ({
    action,
    resources,
    ...(unmapped ? { unmapped, reason } : {}),
  }));
}

describe('DynamoDB and its stream', () => {
  const dynamodb = () => new DynamoDBClient(config);
  const key = (jobId: string) => ({ jobId: { S: jobId } });

  test('table operations are recorded on the table; an index query on the index', async () => {
    const client = dynamodb();
    const document = DynamoDBDocumentClient.from(client);
    const calls = await recorded(async () => {
      await client.send(
        new CreateTableCommand({
          TableName: 'records',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'jobId', AttributeType: 'S' },
            { AttributeName: 'owner', AttributeType: 'S' },
          ],
          KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
          GlobalSecondaryIndexes: [
            {
              IndexName: 'byOwner',
              KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        }),
      );
      await document.send(new PutCommand({ TableName: 'records', Item: { jobId: 'a', owner: 'team' } }));
      const item = await client.send(new GetItemCommand({ TableName: 'records', Key: key('a') }));
      assert.equal(item.Item?.owner?.S, 'team', 'the answer is moto’s, through the proxy');
      await client.send(
        new QueryCommand({
          TableName: 'records',
          IndexName: 'byOwner',
          KeyConditionExpression: '#o = :o',
          ExpressionAttributeNames: { '#o': 'owner' },
          ExpressionAttributeValues: { ':o': { S: 'team' } },
        }),
      );
      await client.send(new BatchGetItemCommand({ RequestItems: { records: { Keys: [key('a')] } } }));
      await client.send(
        new BatchWriteItemCommand({ RequestItems: { [TABLE]: [{ PutRequest: { Item: key('b') } }] } }),
      );
    });
    assert.deepEqual(calls, [
      { action: 'dynamodb:CreateTable', resources: [TABLE] },
      { action: 'dynamodb:PutItem', resources: [TABLE] },
      { action: 'dynamodb:GetItem', resources: [TABLE] },
      { action: 'dynamodb:Query', resources: [`${TABLE}/index/byOwner`] },
      { action: 'dynamodb:BatchGetItem', resources: [TABLE] },
      { action: 'dynamodb:BatchWriteItem', resources: [TABLE] },
    ]);
  });

  test('a transaction is recorded item by item, as each item’s own action', async () => {
    const calls = await recorded(() =>
      dynamodb().send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'records', Item: key('c') } },
            {
              Update: {
                TableName: 'records',
                Key: key('a'),
                UpdateExpression: 'SET #s = :s',
                ExpressionAttributeNames: { '#s': 's' },
                ExpressionAttributeValues: { ':s': { S: 'x' } },
              },
            },
            { Delete: { TableName: 'records', Key: key('b') } },
            {
              ConditionCheck: {
                TableName: 'records',
                Key: key('d'),
                ConditionExpression: 'attribute_not_exists(jobId)',
              },
            },
          ],
        }),
      ),
    );
    assert.deepEqual(calls, [
      { action: 'dynamodb:PutItem', resources: [TABLE] },
      { action: 'dynamodb:UpdateItem', resources: [TABLE] },
      { action: 'dynamodb:DeleteItem', resources: [TABLE] },
      { action: 'dynamodb:ConditionCheckItem', resources: [TABLE] },
    ]);
  });

  test('stream reads are recorded on the stream, GetRecords too (it names only an iterator)', async () => {
    const streams = new DynamoDBStreamsClient(config);
    let streamArn = '';
    const calls = await recorded(async () => {
      const listed = await streams.send(new ListStreamsCommand({ TableName: 'records' }));
      streamArn = listed.Streams?.[0]?.StreamArn ?? '';
      const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      const ShardId = described.StreamDescription?.Shards?.[0]?.ShardId;
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const first = await streams.send(new GetRecordsCommand({ ShardIterator }));
      assert.ok((first.Records ?? []).length > 0);
      await streams.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator }));
    });
    assert.match(streamArn, /^arn:aws:dynamodb:us-east-1:123456789012:table\/records\/stream\//);
    assert.deepEqual(calls, [
      { action: 'dynamodb:ListStreams', resources: [] },
      { action: 'dynamodb:DescribeStream', resources: [streamArn] },
      { action: 'dynamodb:GetShardIterator', resources: [streamArn] },
      { action: 'dynamodb:GetRecords', resources: [streamArn] },
      { action: 'dynamodb:GetRecords', resources: [streamArn] },
    ]);
  });

  test('an operation it cannot map is recorded as unmapped', async () => {
    const calls = await recorded(() => dynamodb().send(new DescribeLimitsCommand({})));
    assert.deepEqual(calls, [
      { action: '', resources: [], unmapped: true, reason: 'no IAM mapping for dynamodb:DescribeLimits' },
    ]);
  });
});

test('SQS: queue URLs and names become queue ARNs; batch operations their single action', async () => {
  const sqs = new SQSClient(config);
  const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:jobs`;
  const calls = await recorded(async () => {
    await sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'jobs' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'one' }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: '1', MessageBody: 'two' }] }));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
    );
    assert.equal(Messages.length, 2);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: Messages.map((message, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  });
  assert.deepEqual(calls, [
    { action: 'sqs:CreateQueue', resources: [QUEUE] },
    { action: 'sqs:GetQueueUrl', resources: [QUEUE] },
    { action: 'sqs:SendMessage', resources: [QUEUE] },
    { action: 'sqs:SendMessage', resources: [QUEUE] },
    { action: 'sqs:ReceiveMessage', resources: [QUEUE] },
    { action: 'sqs:DeleteMessage', resources: [QUEUE] },
  ]);
});

test('EventBridge: PutEvents on each entry’s bus (by name, by ARN, or the default bus)', async () => {
  const events = new EventBridgeClient(config);
  const bus = (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`;
  const entry = { Source: 'test', DetailType: 'Test', Detail: '{}' };
  const calls = await recorded(async () => {
    await events.send(new CreateEventBusCommand({ Name: 'jobs-bus' }));
    await events.send(
      new PutEventsCommand({
        Entries: [
          { ...entry, EventBusName: 'jobs-bus' },
          { ...entry, EventBusName: bus('jobs-bus') },
          { ...entry },
        ],
      }),
    );
  });
  assert.deepEqual(calls, [
    { action: 'events:CreateEventBus', resources: [bus('jobs-bus')] },
    { action: 'events:PutEvents', resources: [bus('jobs-bus'), bus('default')] },
  ]);
});

test('EKS (REST): the cluster in the path', async () => {
  const eks = new EKSClient(config);
  const calls = await recorded(async () => {
    await eks.send(
      new CreateClusterCommand({
        name: 'jobs',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/eks`,
        resourcesVpcConfig: { subnetIds: [] },
      }),
    );
    const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'jobs' }));
    assert.equal(cluster?.name, 'jobs');
    await eks.send(new ListClustersCommand({}));
  });
  const CLUSTER = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/jobs`;
  assert.deepEqual(calls, [
    { action: 'eks:CreateCluster', resources: [CLUSTER] },
    { action: 'eks:DescribeCluster', resources: [CLUSTER] },
    { action: 'eks:ListClusters', resources: [] },
  ]);
});

describe('the query protocol', () => {
  /** A request as a query-protocol client signs it; moto reads the scope, not the signature. */
  const signed = (service: string, body: Buffer, headers: Record<string, string> = {}) =>
    fetch(proxy.endpoint, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=${KEY}/20250101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
        ...headers,
      },
    });

  test('STS: Action= in a form body', async () => {
    const calls = await recorded(async () => {
      const response = await signed('sts', Buffer.from('Action=GetCallerIdentity&Version=2011-06-15'));
      assert.match(await response.text(), /123456789012/);
    });
    assert.deepEqual(calls, [{ action: 'sts:GetCallerIdentity', resources: [] }]);
  });

  test('CloudWatch: a gzipped PutMetricData (the SDK compresses large ones)', async () => {
    const form =
      'Action=PutMetricData&Version=2010-08-01&Namespace=Test&MetricData.member.1.MetricName=m&MetricData.member.1.Value=1';
    const calls = await recorded(async () => {
      const response = await signed('monitoring', gzipSync(form), { 'content-encoding': 'gzip' });
      assert.equal(response.status, 200, await response.text());
    });
    assert.deepEqual(calls, [{ action: 'cloudwatch:PutMetricData', resources: [] }]);
  });
});
