import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { documentClientOnce } from '../../shared/adapters/dynamodb/client.ts';
import { DynamoDbJobStore } from '../../shared/adapters/dynamodb/job-store.ts';
import {
  createEventBridgeClient,
  EventBridgePublisher,
} from '../../shared/adapters/eventbridge/publisher.ts';
import { KubeClient } from '../../shared/adapters/kubernetes/client.ts';
import { createKubeConfig } from '../../shared/adapters/kubernetes/config.ts';
import { runBatch } from './batch.ts';
import { readSettings } from './config.ts';
import { DEFAULT_RETRY, type Log, type SubmitDeps } from './deps.ts';

// Log level from POWERTOOLS_LOG_LEVEL (default INFO).
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'eks-job-runner' });
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'EksJobRunner',
  serviceName: 'submit',
});

function wrap(l: Logger): Log {
  return {
    info: (message, extra) => l.info(message, extra ?? {}),
    warn: (message, extra) => l.warn(message, extra ?? {}),
    error: (message, extra) => l.error(message, extra ?? {}),
    child: (keys) => wrap(l.createChild({ persistentKeys: keys })),
  };
}

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
    const store = new DynamoDbJobStore(documentClientOnce(), settings.tableName);
    const bus = settings.eventBusName
      ? new EventBridgePublisher(createEventBridgeClient(), settings.eventBusName)
      : undefined;
    if (!bus) logger.warn('EVENT_BUS_NAME is not set: REJECTED and CANCELLED transitions are not published');
    const deps: SubmitDeps = {
      store,
      states: (jobIds) => store.states(jobIds),
      kube: new KubeClient(kubeConfig, {
        requestTimeoutMs: settings.kubeTimeoutMs,
        retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      }),
      policy: settings.policy,
      log: wrap(logger),
      count: (metric, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value),
      now: () => new Date(),
      retry: DEFAULT_RETRY,
      publish: bus && ((events) => bus.publish(events)),
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
  const deadline = Date.now() + Math.max(1000, remaining - 3000);
  try {
    return await runBatch(deps, event.Records, { concurrency, deadline });
  } finally {
    // The normal path counts nothing; publishing an empty set only logs a warning.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
