import type { JobResult } from '../../shared/core/job/record.ts';

/** The largest result a record can carry: 20 pods with 4 KiB messages, 3 of them with 64 KiB log tails. */
export function largestResult(exitCode: number): JobResult {
  return {
    attempts: 20,
    succeeded: 0,
    failed: 20,
    pods: Array.from({ length: 20 }, (_, i) => ({
      podName: `p-${i}`,
      exitCode,
      message: 'm'.repeat(4096),
      logTail: i < 3 ? 'l'.repeat(64 * 1024) : undefined,
    })),
  };
}
