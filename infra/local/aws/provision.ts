// Creates the local stack's AWS resources from the shared definitions, idempotently: the queues
// on the SQS endpoint (ElasticMQ), the table and the bus on moto; prints them as one JSON line
// (stdout) for stack-up to put into stack.json.
//   AWS_ENDPOINT_URL=http://127.0.0.1:<moto> AWS_ENDPOINT_URL_SQS=http://127.0.0.1:<elasticmq> \
//     node infra/local/aws/provision.ts
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { localAwsConfigFromEnv } from './client-config.ts';
import { localResourceNames } from './definitions.ts';
import { ensureEventBus } from './event-bus.ts';
import { ensureJobsQueues, keepsRetention } from './queues.ts';
import { ensureJobsTable } from './table.ts';

const log = (message: string) => process.stderr.write(`[provision] ${message}\n`);

try {
  const { aws: config, sqs: sqsConfig } = localAwsConfigFromEnv();
  const names = localResourceNames();
  await ensureJobsTable(new DynamoDBClient(config), names.tableName);
  log(`table ${names.tableName} ready`);
  const sqs = new SQSClient(sqsConfig);
  const queues = await ensureJobsQueues(sqs, names.queueName, names.dlqName);
  log(`queue ${queues.queueUrl} ready, dead letters to ${queues.dlqUrl}`);
  if (!(await keepsRetention(sqs, queues.queueUrl))) {
    // ElasticMQ takes MessageRetentionPeriod and ignores it; the definitions send it as CDK deploys it.
    log(`${sqsConfig.endpoint} does not keep MessageRetentionPeriod: its messages stay until deleted`);
  }
  await ensureEventBus(new EventBridgeClient(config), names.eventBusName);
  log(`event bus ${names.eventBusName} ready`);
  const output = {
    tableName: names.tableName,
    queueUrl: queues.queueUrl,
    dlqUrl: queues.dlqUrl,
    eventBusName: names.eventBusName,
    region: config.region,
    endpoint: config.endpoint,
    sqsEndpoint: sqsConfig.endpoint,
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
} catch (error) {
  log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
}
