import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CliError, EXIT } from '../../../cli/exit-codes.ts';
import { flagsSuffice, fromFlags, fromOutputs, settle } from '../../../cli/target.ts';

const outputs = [
  { OutputKey: 'QueueUrl', OutputValue: 'https://sqs/q' },
  { OutputKey: 'DeadLetterQueueUrl', OutputValue: 'https://sqs/dlq' },
  { OutputKey: 'TableName', OutputValue: 'jobs-table' },
  { OutputKey: 'EventBusName', OutputValue: 'bus' },
];

describe('the target', () => {
  it("reads the runner stack's outputs", () => {
    assert.deepEqual(fromOutputs(outputs), {
      queueUrl: 'https://sqs/q',
      dlqUrl: 'https://sqs/dlq',
      tableName: 'jobs-table',
    });
  });

  it('takes flags over the stack', () => {
    const flags = fromFlags({ stack: 'S', table: 'other-table' });
    assert.deepEqual(settle(['queueUrl', 'tableName'], flags, fromOutputs(outputs), 'stack S'), {
      queueUrl: 'https://sqs/q',
      dlqUrl: 'https://sqs/dlq',
      tableName: 'other-table',
    });
  });

  it('asks CloudFormation only when the flags leave a need open', () => {
    const flags = fromFlags({ stack: 'S', queueUrl: 'https://sqs/q', table: 't' });
    assert.equal(flagsSuffice(['queueUrl', 'tableName'], flags), true);
    assert.equal(flagsSuffice(['dlqUrl'], flags), false);
  });

  it('names the output and the flag that would give a missing value (a usage error)', () => {
    assert.throws(
      () => settle(['dlqUrl'], {}, { queueUrl: 'q' }, 'stack S'),
      (e: unknown) =>
        e instanceof CliError &&
        e.exitCode === EXIT.usage &&
        e.message === 'stack S gives no DeadLetterQueueUrl (--dlq-url)',
    );
  });
});
