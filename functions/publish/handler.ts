import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  createEventBridgeClient,
  EventBridgePublisher,
} from '../../shared/adapters/eventbridge/publisher.ts';
import { FUNCTIONS } from '../../shared/resources.ts';
import { onlyMethods } from '../../shared/runtime/only-methods.ts';
import { MetricUnit, powertools } from '../../shared/runtime/powertools.ts';
import { readSettings } from './config.ts';
import { type PublishDeps, publishChanges } from './publish.ts';
import { USES } from './uses.ts';

const { logger, metrics, log } = powertools('publish');
const settings = readSettings();
const deps: PublishDeps = {
  publisher: onlyMethods(
    new EventBridgePublisher(createEventBridgeClient(), settings.eventBusName),
    USES.EventBridgePublisher,
    'functions/publish/uses.ts',
  ),
  log,
  count: (metric, value) => metrics.addMetric(metric, MetricUnit.Count, value),
};

/** The jobs table's stream -> "Job State Change" events (docs/events.md). */
export const handler = async (
  event: DynamoDBStreamEvent,
  context?: Context,
): Promise<DynamoDBBatchResponse> => {
  if (context) logger.addContext(context);
  const remaining = context?.getRemainingTimeInMillis?.() ?? FUNCTIONS.publish.timeoutSeconds * 1000;
  const deadline = Date.now() + Math.max(1000, remaining - FUNCTIONS.publish.answerReserveMs);
  try {
    return await publishChanges(deps, event.Records, { deadline });
  } finally {
    metrics.publishStoredMetrics();
  }
};
