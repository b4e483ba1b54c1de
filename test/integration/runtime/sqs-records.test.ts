import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseQueueArn, toSqsRecord } from '../../../infra/local/runtime/sqs-records.ts';

describe('toSqsRecord', () => {
  const queue = { arn: 'arn:aws:sqs:eu-west-1:123456789012:jobs', region: 'eu-west-1' };

  test("maps an SDK message to Lambda's record shape", () => {
    const record = toSqsRecord(
      {
        MessageId: 'm1',
        ReceiptHandle: 'r1',
        Body: '{}',
        MD5OfBody: '99914b932bd37a50b983c5e7c90ae93b',
        Attributes: {
          ApproximateReceiveCount: '2',
          SentTimestamp: '1',
          SenderId: 'S',
          AWSTraceHeader: 'Root=1',
        },
        MessageAttributes: { n: { DataType: 'Number', StringValue: '7' } },
      },
      queue,
    );
    assert.deepEqual(record, {
      messageId: 'm1',
      receiptHandle: 'r1',
      body: '{}',
      attributes: {
        ApproximateReceiveCount: '2',
        SentTimestamp: '1',
        SenderId: 'S',
        AWSTraceHeader: 'Root=1',
      },
      messageAttributes: {
        n: { stringValue: '7', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      },
      md5OfBody: '99914b932bd37a50b983c5e7c90ae93b',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'eu-west-1',
    });
  });

  test('refuses an incomplete message', () => {
    assert.throws(() => toSqsRecord({ MessageId: 'm1' }, queue), /incomplete/);
  });

  test('parses a queue ARN', () => {
    assert.deepEqual(parseQueueArn(queue.arn), {
      region: 'eu-west-1',
      accountId: '123456789012',
      name: 'jobs',
    });
    assert.throws(() => parseQueueArn('arn:aws:sns:eu-west-1:1:t'), /not an SQS queue ARN/);
  });
});
