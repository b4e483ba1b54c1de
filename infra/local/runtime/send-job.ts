// Sends a job request (a JSON body) to the local stack's jobs queue, as a producer would.
//   node infra/local/runtime/send-job.ts request.json      (or `-` to read stdin)
// Prints {"messageId","queueUrl"}; the submit function validates the body, not this tool.

import { readFileSync } from 'node:fs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localAwsConfig } from '../aws/client-config.ts';
import { loadLocalStack } from '../stack-info.ts';

const source = process.argv[2];
if (!source) {
  process.stderr.write('usage: node infra/local/runtime/send-job.ts <request.json | ->\n');
  process.exit(2);
}
try {
  const text = readFileSync(source === '-' ? 0 : source, 'utf8');
  JSON.parse(text); // a typo is caught here rather than as a REJECTED record later
  const { aws } = loadLocalStack();
  const sqs = new SQSClient(localAwsConfig(aws.sqsEndpoint, aws.region));
  const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrl, MessageBody: text }));
  process.stdout.write(`${JSON.stringify({ messageId: MessageId, queueUrl: aws.queueUrl })}\n`);
} catch (error) {
  process.stderr.write(`send-job: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
