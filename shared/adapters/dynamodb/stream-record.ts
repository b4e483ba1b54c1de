import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { JobRecord } from '../../core/job/record.ts';
import { JOB_STATES } from '../../core/job/state.ts';

/** One write of a job record, as the table's stream (NEW_AND_OLD_IMAGES) reports it. */
export interface RecordChange {
  /** The stream's position of the write: what a batch item failure names. */
  sequenceNumber: string;
  /** Absent for a new item. */
  before?: JobRecord;
  /** Absent for a delete (TTL expiry). */
  after?: JobRecord;
}

/** The change of a stream record; throws when an image is not a job record. */
export function recordChangeOf(record: DynamoDBRecord): RecordChange {
  const stream = record.dynamodb;
  const sequenceNumber = stream?.SequenceNumber;
  if (!sequenceNumber) throw new Error('the stream record has no sequence number');
  const change: RecordChange = { sequenceNumber };
  if (stream.OldImage) change.before = jobRecordOf(stream.OldImage);
  if (stream.NewImage) change.after = jobRecordOf(stream.NewImage);
  if (record.eventName !== 'REMOVE' && !change.after)
    throw new Error(`a ${record.eventName} without its new image: the stream must be NEW_AND_OLD_IMAGES`);
  return change;
}

function jobRecordOf(image: NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>): JobRecord {
  // aws-lambda's AttributeValue and the SDK's describe the same wire format.
  const item = unmarshall(image as Record<string, AttributeValue>);
  const state = item.state as JobRecord['state'];
  if (typeof item.jobId !== 'string' || !JOB_STATES.includes(state) || typeof item.version !== 'number')
    throw new Error('the image is not a job record (jobId, state, version)');
  if (!Array.isArray(item.history)) item.history = [];
  return item as JobRecord;
}
