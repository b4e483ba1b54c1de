import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { stateMetric } from '../../functions/publish/publish.ts';
import { OUTCOMES } from '../../functions/submit/deps.ts';
import { TERMINAL_STATES } from '../../shared/core/job/state.ts';
import type { RunnerMetrics } from './runner-metrics.ts';

/**
 * One dashboard of the whole flow: requests, outcomes per state, latency, reconcile's conflicts
 * and Kubernetes API calls, the three functions, events, and the alarms.
 */
export function runnerDashboard(
  scope: Construct,
  functions: { submit: lambda.IFunction; reconcile: lambda.IFunction; publish: lambda.IFunction },
  metrics: RunnerMetrics,
  alarms: cloudwatch.IAlarm[],
): cloudwatch.Dashboard {
  const { count } = metrics;
  const each = (pick: (fn: lambda.IFunction) => cloudwatch.IMetric) =>
    [functions.submit, functions.reconcile, functions.publish].map(pick);
  return new cloudwatch.Dashboard(scope, 'Dashboard', {
    defaultInterval: Duration.hours(3),
    widgets: [
      [
        new cloudwatch.GraphWidget({
          title: 'Job requests',
          left: [metrics.queueDepth, metrics.dlqDepth],
          right: [metrics.oldestRequest],
        }),
        new cloudwatch.GraphWidget({
          title: 'Submit outcomes',
          left: [...OUTCOMES, 'RetryLater'].map((name) => count(name, 'submit', name)),
          stacked: true,
        }),
        new cloudwatch.GraphWidget({
          title: 'Jobs finished, by state',
          left: TERMINAL_STATES.map((state) => count(stateMetric(state), 'publish', state)),
          stacked: true,
        }),
      ],
      [
        new cloudwatch.GraphWidget({
          title: 'Latency',
          left: [
            functions.submit.metricDuration({ statistic: 'p50', label: 'submit p50 (ms)' }),
            functions.submit.metricDuration({ statistic: 'p99', label: 'submit p99 (ms)' }),
          ],
          right: [metrics.reconcileLag, metrics.eventsAge.with({ label: 'event age (ms)' })],
        }),
        new cloudwatch.GraphWidget({
          title: 'Reconcile: write conflicts, lost jobs, faults',
          left: ['WriteConflicts', 'JobsLost', 'ReconcileErrors'].map((name) => count(name, 'reconcile')),
        }),
        new cloudwatch.GraphWidget({
          title: 'Kubernetes API calls (reconcile)',
          left: [count('KubeApiCalls', 'reconcile')],
        }),
      ],
      [
        new cloudwatch.GraphWidget({ title: 'Invocations', left: each((fn) => fn.metricInvocations()) }),
        new cloudwatch.GraphWidget({
          title: 'Errors and throttles',
          left: each((fn) => fn.metricErrors()),
          right: each((fn) => fn.metricThrottles()),
        }),
        new cloudwatch.GraphWidget({
          title: 'Events',
          left: [count('EventsPublished', 'publish'), count('EventsFailed', 'publish')],
          right: [metrics.publishFailures.with({ label: 'publish failures queue' })],
        }),
      ],
      [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 })],
    ],
  });
}
