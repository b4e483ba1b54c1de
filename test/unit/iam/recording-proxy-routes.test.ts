// The recording proxy sends a service elsewhere by its SigV4 signing name: the local stack's SQS
// is ElasticMQ, every other service moto. Two stub upstreams stand in for them.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type RecordingProxy, startRecordingProxy } from '../../support/iam/recording-proxy.ts';

/** An upstream that answers every JSON-protocol call with `answer` and keeps the targets it saw. */
async function stub(answer: object): Promise<{ endpoint: string; targets: string[]; server: Server }> {
  const targets: string[] = [];
  const server = createServer((request, response) => {
    targets.push(String(request.headers['x-amz-target']));
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, targets, server };
}

let moto: Awaited<ReturnType<typeof stub>>;
let elasticmq: Awaited<ReturnType<typeof stub>>;
let proxy: RecordingProxy;

before(async () => {
  moto = await stub({ TableNames: [] });
  elasticmq = await stub({ QueueUrls: [] });
  proxy = await startRecordingProxy(moto.endpoint, { sqs: elasticmq.endpoint });
});
after(async () => {
  await proxy?.stop();
  for (const upstream of [moto, elasticmq]) upstream?.server.close();
});

test('SQS goes to its route, every other service to the default upstream; both are recorded', async () => {
  const config = {
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAROUTES', secretAccessKey: 's' },
  };
  const sqs = new SQSClient(config);
  const dynamodb = new DynamoDBClient(config);
  try {
    await sqs.send(new ListQueuesCommand({}));
    await dynamodb.send(new ListTablesCommand({}));
  } finally {
    sqs.destroy();
    dynamodb.destroy();
  }
  assert.deepEqual(elasticmq.targets, ['AmazonSQS.ListQueues']);
  assert.deepEqual(moto.targets, ['DynamoDB_20120810.ListTables']);
  assert.deepEqual(
    proxy.calls.map((c) => [c.action, c.status, c.accessKeyId]),
    [
      ['sqs:ListQueues', 200, 'AKIAROUTES'],
      ['dynamodb:ListTables', 200, 'AKIAROUTES'],
    ],
  );
});
