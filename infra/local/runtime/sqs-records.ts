import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

export interface QueueIdentity {
  arn: string;
  region: string;
}

/** An SQS message as the Lambda event source puts it into an SQSEvent record. */
export function toSqsRecord(message: Message, queue: QueueIdentity): SQSRecord {
  if (!message.MessageId || !message.ReceiptHandle || message.Body === undefined || !message.MD5OfBody) {
    throw new Error(`ReceiveMessage returned an incomplete message: ${JSON.stringify(message)}`);
  }
  const record: SQSRecord = {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: message.Attributes as unknown as SQSRecordAttributes,
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        toRecordAttribute(value),
      ]),
    ),
    md5OfBody: message.MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

/** Lambda's camelCase shape: binary as base64, and the (unused) list fields always present. */
function toRecordAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  return {
    ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
    ...(value.BinaryValue !== undefined && {
      binaryValue: Buffer.from(value.BinaryValue).toString('base64'),
    }),
    stringListValues: [],
    binaryListValues: [],
    dataType: value.DataType ?? 'String',
  };
}

/** `arn:aws:sqs:<region>:<account>:<name>` */
export function parseQueueArn(arn: string): { region: string; accountId: string; name: string } {
  const [, , service, region, accountId, name] = arn.split(':');
  if (service !== 'sqs' || !region || !accountId || !name) throw new Error(`not an SQS queue ARN: ${arn}`);
  return { region, accountId, name };
}
