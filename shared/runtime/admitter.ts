import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAdmissionStore } from '../adapters/dynamodb/admission-store.ts';
import type { Uses } from '../adapters/iam.ts';
import type { JobReader, JobStore, KubeJobs, Log } from '../core/ports.ts';
import type { Policy } from '../core/submit/policy.ts';
import { type AdmissionStats, admissionPass } from './admission-pass.ts';
import { AdmissionTrigger } from './admission-trigger.ts';
import { onlyMethods } from './only-methods.ts';
import { type Metrics, MetricUnit } from './powertools.ts';

/** A function's admission passes (docs/admission.md), on the adapters its uses.ts declares. */
export function admissionTrigger(input: {
  client: DynamoDBDocumentClient;
  tableName: string;
  uses: Uses;
  usesFile: string;
  store: Pick<JobStore, 'replace' | 'get'>;
  reader: Pick<JobReader, 'scanQueue' | 'getStates' | 'getJobs'>;
  kube: Pick<KubeJobs, 'setSuspended' | 'deleteJob'>;
  policy: Policy;
  log: Log;
  onPass?: (stats: AdmissionStats) => void;
}): AdmissionTrigger {
  const admission = onlyMethods(
    new DynamoDbAdmissionStore(input.client, input.tableName),
    (input.uses.DynamoDbAdmissionStore ?? []) as ('admit' | 'admitAll' | 'usage')[],
    input.usesFile,
  );
  const deps = { ...input, admission, now: () => new Date() };
  return new AdmissionTrigger(() => admissionPass(deps), input.log, input.onPass);
}

/** The metrics of a pass (docs/admission.md, "Metrics"): per owner, the queue's depth and the waits admitted. */
export function admissionMetrics(metrics: Metrics): (stats: AdmissionStats) => void {
  return (stats) => {
    if (stats.queued === 0 && stats.admitted === 0) return;
    metrics.addMetric('JobsAdmitted', MetricUnit.Count, stats.admitted);
    metrics.addMetric('JobsDependencyFailed', MetricUnit.Count, stats.dependencyFailed);
    metrics.addMetric('AdmissionPassDuration', MetricUnit.Milliseconds, stats.ms);
    for (const [owner, { queued, waits }] of Object.entries(stats.byOwner)) {
      const single = metrics.singleMetric();
      single.addDimension('Owner', owner);
      single.addMetric('QueuedJobs', MetricUnit.Count, queued);
      for (const wait of waits) single.addMetric('AdmissionWaitSeconds', MetricUnit.Seconds, wait);
      single.publishStoredMetrics();
    }
  };
}
