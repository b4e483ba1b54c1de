// Creates the local stack's AWS resources on moto from the shared definitions, idempotently,
// and prints them as one JSON line (stdout) for stack-up to put into stack.json.
//   AWS_ENDPOINT_URL=http://127.0.0.1:<port> node infra/local/aws/provision.ts
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { localAwsConfigFromEnv } from './client-config.ts';
import { localResourceNames } from './definitions.ts';
import { ensureEventBus } from './event-bus.ts';
import { ensureJobsQueues } from './queues.ts';
import { ensureJobsTable } from './table.ts';

const log = (message: string) => process.stderr.write(`[provision] ${message}\n`);

try {
  const config = localAwsConfigFromEnv();
  const names = localResourceNames();
  await ensureJobsTable(new DynamoDBClient(config), names.tableName);
  log(`table ${names.tableName} ready`);
  const queues = await ensureJobsQueues(new SQSClient(config), names.queueName, names.dlqName);
  log(`queue ${queues.queueUrl} ready, dead letters to ${queues.dlqUrl}`);
  await ensureEventBus(new EventBridgeClient(config), names.eventBusName);
  log(`event bus ${names.eventBusName} ready`);
  const output = {
    tableName: names.tableName,
    queueUrl: queues.queueUrl,
    dlqUrl: queues.dlqUrl,
    eventBusName: names.eventBusName,
    region: config.region,
    endpoint: config.endpoint,
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
} catch (error) {
  log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
}
