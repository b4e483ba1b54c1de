import { z } from 'zod';
import { EVENT_SOURCE, type JobStateChangeDetailV1, STATE_CHANGE_DETAIL_TYPE } from './events.ts';
import { JOB_STATES } from './state.ts';

/**
 * The "Job State Change" event as a schema: what consumers generate bindings from (the EventBridge
 * Schema Registry, docs/schema/job-state-change.v1.json). Kept apart from events.ts so that the
 * publish function does not bundle zod; the type check below and test/unit/core/job/event-schema
 * keep it equal to JobStateChangeDetailV1 and to what stateChangeEvent() builds.
 */
const state = z.enum(JOB_STATES);
const time = z.string().describe('ISO 8601');

export const stateChangeDetailSchema = z
  .object({
    schemaVersion: z.literal('1'),
    eventId: z.string().describe('`<jobId>#<version>`: the same on every delivery of one transition'),
    jobId: z.string(),
    owner: z.string(),
    namespace: z.string().optional(),
    jobName: z.string().optional(),
    state,
    previousState: state.optional().describe('absent for a record written directly in its state'),
    terminal: z.boolean(),
    reason: z.string().optional(),
    message: z.string().max(1024).optional(),
    at: time.describe('when the transition was recorded'),
    createdAt: time,
    version: z.number().int().min(1).describe("the record's version after the transition"),
    adopted: z.literal(true).optional(),
    pending: z
      .object({
        reason: z.string(),
        message: z.string().optional(),
        since: time,
        flagged: z.literal(true).optional(),
      })
      .optional(),
    result: z
      .object({
        attempts: z.number().int(),
        succeeded: z.number().int(),
        failed: z.number().int(),
        exitCode: z.number().int().optional(),
        startedAt: time.optional(),
        finishedAt: time.optional(),
        durationSeconds: z.number().optional(),
        failedIndexes: z.string().optional(),
      })
      .optional(),
  })
  .strict();

/** The whole event as EventBridge delivers it: the envelope and the detail. */
export const stateChangeEventSchema = z.object({
  version: z.string(),
  id: z.string(),
  'detail-type': z.literal(STATE_CHANGE_DETAIL_TYPE),
  source: z.literal(EVENT_SOURCE),
  account: z.string(),
  time,
  region: z.string(),
  resources: z.array(z.string()),
  detail: stateChangeDetailSchema,
});

// A compile error here means the schema and the published type have drifted apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same: Same<z.infer<typeof stateChangeDetailSchema>, JobStateChangeDetailV1> = true;
void same;

/** JSON Schema draft 4, the dialect the EventBridge Schema Registry reads. */
export function stateChangeJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(stateChangeEventSchema, { target: 'draft-04' }),
    $id: 'https://eks-job-runner.io/schema/job-state-change.v1.json',
    title: 'eks-job-runner Job State Change v1',
    description:
      'An EventBridge "Job State Change" event of eks-job-runner (docs/events.md). Generated from ' +
      'shared/core/job/event-schema.ts by scripts/generate-schema.ts.',
  };
}
