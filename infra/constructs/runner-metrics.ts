import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { FUNCTIONS } from '../../shared/resources.ts';

/**
 * Emitted by the reconcile function (Powertools metrics, dimension `service`): the longest
 * time in an invocation from a job's last pod finishing to the write of its terminal record.
 */
export const RECONCILE_LAG_METRIC = 'ReconcileLagSeconds';

export interface MetricSources {
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  reconcile: lambda.IFunction;
  publish: lambda.IFunction;
  publishFailures: sqs.IQueue;
  /** POWERTOOLS_SERVICE_NAME of the reconcile function: the lag metric's dimension. */
  reconcileService: string;
}

export type RunnerMetrics = ReturnType<typeof runnerMetrics>;

/** The metrics the alarms and the dashboard share, defined once. */
export function runnerMetrics(sources: MetricSources) {
  const minute = Duration.minutes(1);
  const maximum = { period: minute, statistic: 'Maximum' };
  return {
    /** A count the functions publish (Powertools metrics, dimension `service`), per 5 minutes. */
    count: (metricName: string, fn: 'submit' | 'reconcile' | 'publish', label?: string) =>
      new cloudwatch.Metric({
        namespace: FUNCTIONS.metricsNamespace,
        metricName,
        dimensionsMap: { service: FUNCTIONS[fn].serviceName },
        period: Duration.minutes(5),
        statistic: 'Sum',
        label,
      }),
    queueDepth: sources.queue.metricApproximateNumberOfMessagesVisible({ period: minute }),
    dlqDepth: sources.deadLetterQueue.metricApproximateNumberOfMessagesVisible(maximum),
    oldestRequest: sources.queue.metricApproximateAgeOfOldestMessage(maximum),
    reconcileLag: new cloudwatch.Metric({
      namespace: FUNCTIONS.metricsNamespace,
      metricName: RECONCILE_LAG_METRIC,
      dimensionsMap: { service: sources.reconcileService },
      ...maximum,
    }),
    reconcileRuns: sources.reconcile.metricInvocations({ period: Duration.minutes(5), statistic: 'Sum' }),
    publishFailures: sources.publishFailures.metricApproximateNumberOfMessagesVisible(maximum),
    eventsAge: new cloudwatch.Metric({
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      dimensionsMap: { FunctionName: sources.publish.functionName },
      ...maximum,
    }),
  };
}
