import type { JobRecord } from '../../core/job/record.ts';
import type { ActiveEntry } from '../../core/ports.ts';
import { STATUS_INDEX_ATTRIBUTES } from '../../resources.ts';

/** What the status index holds of a record: its keys and STATUS_INDEX_ATTRIBUTES. */
type StatusIndexAttribute = (typeof STATUS_INDEX_ATTRIBUTES)[number] | 'jobId' | 'statusShard' | 'updatedAt';
// Every attribute the index projects is one of the record's.
STATUS_INDEX_ATTRIBUTES satisfies readonly (keyof JobRecord)[];

/** What admission orders the queue by (core/admission/plan.ts reads no other field). */
export const QUEUE_ATTRIBUTES = [
  'jobId',
  'owner',
  'namespace',
  'state',
  'version',
  'reason',
  'message',
  'createdAt',
  'admission',
  'suspension',
] as const satisfies readonly (keyof JobRecord & StatusIndexAttribute)[];

/** What the resync tells a quiet Job by (core/reconcile/quiet.ts), and where the Job is. */
export const ACTIVE_ATTRIBUTES = [
  'jobId',
  'namespace',
  'jobName',
  'state',
  'version',
  'updatedAt',
  'observed',
] as const satisfies readonly (keyof ActiveEntry & StatusIndexAttribute)[];
