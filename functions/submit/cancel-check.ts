import type { JobState } from '../../shared/core/job/state.ts';
import { deleteJob } from './cancel.ts';
import type { CreatedJob, SubmitDeps } from './deps.ts';

/**
 * After a batch's creates: one consistent read of those records, and the Job of any record a
 * cancel moved to CANCELLED meanwhile is deleted. The cancel writes CANCELLED before it deletes;
 * if our create came after its delete, this read (after our create) sees CANCELLED.
 * Returns the message ids to report as failures (a redelivery then finds CANCELLED and deletes).
 */
export async function checkCancelled(
  deps: SubmitDeps,
  created: readonly CreatedJob[],
  deadline: number,
): Promise<string[]> {
  if (created.length === 0) return [];
  let states: Map<string, JobState>;
  try {
    states = await deps.reader.getStates(created.map((c) => c.jobId));
  } catch (error) {
    for (const c of created) c.log.warn('cancel check failed, left for redelivery', { error: String(error) });
    return created.map((c) => c.messageId);
  }
  const failed: string[] = [];
  await Promise.all(
    created
      .filter((c) => states.get(c.jobId) === 'CANCELLED')
      .map(async (c) => {
        try {
          await deleteJob(deps.kube, c, deadline);
          c.log.warn('job was cancelled while it was being created; deleted it', {
            namespace: c.namespace,
            jobName: c.jobName,
          });
          deps.count('CancelRaceCleaned');
        } catch (error) {
          c.log.warn('deleting the Job of a cancelled record failed, left for redelivery', {
            error: String(error),
          });
          failed.push(c.messageId);
        }
      }),
  );
  return failed;
}
