import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { documentClientOnce } from '../../shared/adapters/dynamodb/client.ts';
import { DynamoDbJobQueries } from '../../shared/adapters/dynamodb/job-queries.ts';
import { DynamoDbJobStore } from '../../shared/adapters/dynamodb/job-store.ts';
import { KubeClient } from '../../shared/adapters/kubernetes/client.ts';
import { createKubeConfig } from '../../shared/adapters/kubernetes/config.ts';
import { FUNCTIONS } from '../../shared/resources.ts';
import { admissionMetrics, admissionTrigger } from '../../shared/runtime/admitter.ts';
import { onlyMethods } from '../../shared/runtime/only-methods.ts';
import { MetricUnit, powertools } from '../../shared/runtime/powertools.ts';
import { runBatch } from './batch.ts';
import { readSettings } from './config.ts';
import type { SubmitDeps } from './deps.ts';
import { USES } from './uses.ts';

const { logger, metrics, log } = powertools('submit');
/** Every adapter is limited to the methods this file declares, the ones CDK grants. */
const USES_FILE = 'functions/submit/uses.ts';

/** Built once per container, at import (the cold start); a failed start is retried by the next invocation. */
interface Container {
  deps: SubmitDeps;
  concurrency: number;
}
let container: Promise<Container> | undefined;
function dependencies(): Promise<Container> {
  if (container) return container;
  const built = (async (): Promise<Container> => {
    const settings = readSettings();
    const kubeConfig = await createKubeConfig();
    const client = documentClientOnce();
    const store = onlyMethods(
      new DynamoDbJobStore(client, settings.tableName),
      USES.DynamoDbJobStore,
      USES_FILE,
    );
    if (settings.policy.principals.length === 0)
      logger.warn('the policy maps no sender (principals): every message is REJECTED NotAuthorized');
    const reader = onlyMethods(
      new DynamoDbJobQueries(client, settings.tableName),
      USES.DynamoDbJobQueries,
      USES_FILE,
    );
    const kube = new KubeClient(kubeConfig, { requestTimeoutMs: settings.kubeTimeoutMs, log });
    const { policy, tableName } = settings;
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
    const deps: SubmitDeps = {
      store,
      reader,
      kube,
      admit: () => {
        admission.request();
        return admission.settle();
      },
      policy,
      log,
      count: (metric, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value),
      now: () => new Date(),
    };
    return { deps, concurrency: settings.concurrency };
  })();
  container = built;
  built.catch((error: unknown) => {
    logger.error('submit failed to start', { error: String(error) });
    container = undefined;
  });
  return built;
}
dependencies();

export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  const { deps, concurrency } = await dependencies();
  if (context) logger.addContext(context);
  const remaining = context?.getRemainingTimeInMillis?.() ?? 30_000;
  // Leave time to answer: a message still in flight at the deadline is reported for redelivery.
  const deadline = Date.now() + Math.max(1000, remaining - FUNCTIONS.submit.answerReserveMs);
  try {
    return await runBatch(deps, event.Records, { concurrency, deadline });
  } finally {
    // The normal path counts nothing; publishing an empty set only logs a warning.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
