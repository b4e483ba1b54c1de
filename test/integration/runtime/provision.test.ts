// infra/local/aws/provision.ts against moto and the local SQS (ElasticMQ): the resources match
// shared/resources.ts, and a second run changes nothing. Run as stack-up runs it, as a CLI, with
// unique names.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { localAwsConfig } from '../../../infra/local/aws/client-config.ts';
import { indexProjection } from '../../../infra/local/aws/definitions.ts';
import { JOBS_QUEUE, JOBS_TABLE } from '../../../shared/resources.ts';
import { type SqsServer, sqsForTests } from '../../support/elasticmq.ts';
import { type MotoServer, motoForTests } from '../../support/moto.ts';
import { deleteCreatedResources, runProvision, sqsClient, uniqueResourceNames } from './harness.ts';

let moto: MotoServer;
let sqsServer: SqsServer;
let sqs: SQSClient;
let dynamodb: DynamoDBClient;

before(async () => {
  moto = await motoForTests();
  sqsServer = await sqsForTests();
  sqs = sqsClient(sqsServer);
  dynamodb = new DynamoDBClient(localAwsConfig(moto.endpoint, moto.region));
});

after(async () => {
  await deleteCreatedResources();
  sqs?.destroy();
  dynamodb?.destroy();
  await moto?.stop();
  await sqsServer?.stop();
});

describe('provision.ts', { timeout: 120_000 }, () => {
  test('creates the table, the queues and the bus from shared/resources.ts, idempotently', async () => {
    const names = uniqueResourceNames('provision-test');
    let stderr = '';
    const output = await runProvision(moto, sqsServer, names, (text) => {
      stderr = text;
    });
    assert.deepEqual(Object.keys(output).sort(), [
      'dlqUrl',
      'endpoint',
      'eventBusName',
      'queueUrl',
      'region',
      'sqsEndpoint',
      'tableName',
    ]);
    assert.equal(output.tableName, names.EJR_TABLE_NAME);
    assert.equal(output.eventBusName, names.EJR_EVENT_BUS_NAME);
    assert.equal(output.endpoint, moto.endpoint);
    assert.equal(output.sqsEndpoint, sqsServer.endpoint);
    assert.ok(output.queueUrl?.startsWith(`${sqsServer.endpoint}/`), 'the queues are on the SQS endpoint');
    assert.equal(output.region, moto.region);

    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: names.EJR_TABLE_NAME }));
    assert.deepEqual(Table?.KeySchema, [{ AttributeName: JOBS_TABLE.partitionKey.name, KeyType: 'HASH' }]);
    assert.equal(Table?.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(
      Table?.GlobalSecondaryIndexes?.map((i) => ({
        name: i.IndexName,
        keys: i.KeySchema,
        projection: i.Projection,
      })).sort((a, b) => String(a.name).localeCompare(String(b.name))),
      JOBS_TABLE.indexes
        .map((i) => ({
          name: i.name,
          keys: [
            { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
          ],
          projection: indexProjection(i.projection),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    const attributeTypes = Object.fromEntries(
      (Table?.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]),
    );
    for (const key of [
      JOBS_TABLE.partitionKey,
      ...JOBS_TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
    ]) {
      assert.equal(attributeTypes[key.name], key.type, `attribute ${key.name}`);
    }
    const { TimeToLiveDescription } = await dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: names.EJR_TABLE_NAME }),
    );
    assert.equal(TimeToLiveDescription?.AttributeName, JOBS_TABLE.ttlAttribute);
    assert.equal(TimeToLiveDescription?.TimeToLiveStatus, 'ENABLED');

    const queue = await queueAttributes(output.queueUrl ?? '');
    const dlq = await queueAttributes(output.dlqUrl ?? '');
    assert.deepEqual(JSON.parse(queue.RedrivePolicy ?? '{}'), {
      deadLetterTargetArn: dlq.QueueArn,
      maxReceiveCount: JOBS_QUEUE.maxReceiveCount,
    });
    assert.equal(queue.VisibilityTimeout, String(JOBS_QUEUE.visibilityTimeoutSeconds));
    // The definitions send the retention CDK deploys; ElasticMQ takes it and keeps messages until
    // deleted (it reports no MessageRetentionPeriod), and provisioning says so. moto keeps it.
    if (queue.MessageRetentionPeriod === undefined) {
      assert.equal(dlq.MessageRetentionPeriod, undefined);
      assert.match(stderr, /does not keep MessageRetentionPeriod: its messages stay until deleted/);
    } else {
      assert.equal(queue.MessageRetentionPeriod, String(JOBS_QUEUE.retentionSeconds));
      assert.equal(dlq.MessageRetentionPeriod, String(JOBS_QUEUE.dlqRetentionSeconds));
    }

    const bus = await new EventBridgeClient(localAwsConfig(moto.endpoint, moto.region)).send(
      new DescribeEventBusCommand({ Name: names.EJR_EVENT_BUS_NAME }),
    );
    assert.equal(bus.Name, names.EJR_EVENT_BUS_NAME);

    // A second run: no error, the same resources.
    assert.deepEqual(await runProvision(moto, sqsServer, names), output);
    assert.deepEqual(await queueAttributes(output.queueUrl ?? ''), queue);
  });

  test('an existing table with another schema is an error, not silently kept', async () => {
    const names = uniqueResourceNames('provision-test');
    await dynamodb.send(
      new CreateTableCommand({
        TableName: names.EJR_TABLE_NAME,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
    );
    try {
      await assert.rejects(runProvision(moto, sqsServer, names), /exists with another schema/);
    } finally {
      await dynamodb.send(new DeleteTableCommand({ TableName: names.EJR_TABLE_NAME }));
    }
  });
});

/** The queue's settings: counters and the last-modified time (a rerun sets attributes) left out. */
async function queueAttributes(url: string): Promise<Record<string, string>> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  return Object.fromEntries(
    Object.entries(Attributes).filter(([name]) => !/^ApproximateNumber|^LastModified/.test(name)),
  );
}
