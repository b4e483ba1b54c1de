// Prints a job's record from the local stack's jobs table as JSON; exits 1 if there is none.
//   node infra/local/runtime/get-job.ts <jobId>
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { JOBS_TABLE } from '../../../shared/resources.ts';
import { localAwsConfig } from '../aws/client-config.ts';
import { loadLocalStack } from '../stack-info.ts';

const jobId = process.argv[2];
if (!jobId) {
  process.stderr.write('usage: node infra/local/runtime/get-job.ts <jobId>\n');
  process.exit(2);
}
try {
  const { aws } = loadLocalStack();
  const table = DynamoDBDocumentClient.from(new DynamoDBClient(localAwsConfig(aws.endpoint, aws.region)));
  const { Item } = await table.send(
    new GetCommand({
      TableName: aws.tableName,
      Key: { [JOBS_TABLE.partitionKey.name]: jobId },
      ConsistentRead: true,
    }),
  );
  if (!Item) {
    process.stderr.write(`get-job: no record for jobId ${jobId} in ${aws.tableName}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify(Item, null, 2)}\n`);
} catch (error) {
  process.stderr.write(`get-job: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
