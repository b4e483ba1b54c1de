import type { Context, ScheduledEvent } from 'aws-lambda';
import { documentClientOnce } from '../../shared/adapters/dynamodb/client.ts';
import { DynamoDbJobQueries } from '../../shared/adapters/dynamodb/job-queries.ts';
import { DynamoDbJobStore } from '../../shared/adapters/dynamodb/job-store.ts';
import { createKubeConfig } from '../../shared/adapters/kubernetes/config.ts';
import { KubeWatchClient } from '../../shared/adapters/kubernetes/watch-client.ts';
import { FUNCTIONS } from '../../shared/resources.ts';
import { admissionMetrics, admissionTrigger } from '../../shared/runtime/admitter.ts';
import { onlyMethods } from '../../shared/runtime/only-methods.ts';
import { MetricUnit, powertools } from '../../shared/runtime/powertools.ts';
import { readSettings } from './config.ts';
import { ContainerHandoff } from './handoff.ts';
import { type ReconcilerDeps, type ReconcileStats, reconcile } from './reconciler.ts';
import { USES } from './uses.ts';
import { windowOf } from './window.ts';

const { logger, metrics, log } = powertools('reconcile');
/** Every adapter is limited to the methods this file declares, the ones CDK grants. */
const USES_FILE = 'functions/reconcile/uses.ts';
const settings = readSettings();
/** Survives between invocations of this container (handoff.ts); three periods at most. */
const handoff = settings.handoff
  ? new ContainerHandoff(3 * FUNCTIONS.reconcile.scheduleSeconds * 1000)
  : undefined;

/** Adapters are built once per container (the EKS token inside renews itself). */
let deps: Promise<ReconcilerDeps> | undefined;
function dependencies(): Promise<ReconcilerDeps> {
  if (deps) return deps;
  const built = createKubeConfig().then((kc): ReconcilerDeps => {
    const client = documentClientOnce();
    const { tableName, policy } = settings;
    const kube = new KubeWatchClient(kc, { log });
    const store = onlyMethods(new DynamoDbJobStore(client, tableName), USES.DynamoDbJobStore, USES_FILE);
    const reader = onlyMethods(new DynamoDbJobQueries(client, tableName), USES.DynamoDbJobQueries, USES_FILE);
    const admission = admissionTrigger({
      client,
      tableName,
      uses: USES,
      usesFile: USES_FILE,
      store,
      reader,
      kube,
      policy,
      log,
      onPass: admissionMetrics(metrics),
    });
    return { kube, store, reader, log, admission, handoff };
  });
  deps = built;
  // A failed start (e.g. DescribeCluster throttled) is retried by the next invocation.
  built.catch(() => {
    deps = undefined;
  });
  return built;
}

function record(stats: ReconcileStats): void {
  metrics.addMetric('ResyncDuration', MetricUnit.Milliseconds, stats.resyncMs);
  metrics.addMetric('JobsListed', MetricUnit.Count, stats.jobsListed);
  metrics.addMetric('RecordWrites', MetricUnit.Count, stats.writes);
  metrics.addMetric('WriteConflicts', MetricUnit.Count, stats.conflicts);
  metrics.addMetric('JobsAdopted', MetricUnit.Count, stats.created);
  metrics.addMetric('JobsLost', MetricUnit.Count, stats.lost);
  metrics.addMetric('WatchHandedOver', MetricUnit.Count, stats.handedOver ? 1 : 0);
  metrics.addMetric('ReconcileErrors', MetricUnit.Count, stats.errors);
  const kubeCalls =
    stats.kube.listJobs + stats.kube.listPods + stats.kube.getJob + stats.kube.podLogs + stats.kube.deleteJob;
  metrics.addMetric('KubeApiCalls', MetricUnit.Count, kubeCalls);
  if (stats.maxLagSeconds !== undefined) {
    metrics.addMetric('ReconcileLagSeconds', MetricUnit.Seconds, stats.maxLagSeconds);
  }
  metrics.publishStoredMetrics();
}

/** The scheduled reconcile: one resync, then a watch until the window ends. */
export const handler = async (event: ScheduledEvent, context?: Context): Promise<ReconcileStats> => {
  if (context) logger.addContext(context);
  const remaining = context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY;
  const windowMs = windowOf({ ...settings, firedAt: event?.time, remainingMs: remaining, now: Date.now() });
  const stats = await reconcile(await dependencies(), {
    namespaces: settings.namespaces,
    windowMs,
    // Every DynamoDB call ends before the function's timeout (a second is kept to answer).
    deadline: Number.isFinite(remaining) ? Date.now() + remaining - 1000 : undefined,
    config: settings.config,
    logTailLines: settings.logTailLines,
  });
  logger.info('reconciled', { eventId: event?.id, windowMs, ...stats });
  record(stats);
  return stats;
};
