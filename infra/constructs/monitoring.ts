import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { runnerDashboard } from './dashboard.ts';
import { runnerMetrics } from './runner-metrics.ts';

export interface MonitoringProps {
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  submit: lambda.IFunction;
  reconcile: lambda.IFunction;
  publish: lambda.IFunction;
  /** Positions of stream records the publish function gave up on. */
  publishFailures: sqs.IQueue;
  /** POWERTOOLS_SERVICE_NAME of the reconcile function: the lag metric's dimension. */
  reconcileService: string;
  reconcileLagThresholdSeconds: number;
  /** Where alarms notify; none when empty. */
  alarmTopicArn?: string;
}

/** The alarms an operator needs and one dashboard of the whole flow (dashboard.ts). */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const metrics = runnerMetrics(props);
    const { count, dlqDepth, oldestRequest, reconcileLag, reconcileRuns, publishFailures, eventsAge } =
      metrics;

    this.alarm('DeadLetterQueueNotEmpty', {
      alarmDescription: 'Job requests failed every delivery and wait in the DLQ: inspect, fix, redrive.',
      metric: dlqDepth,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm('RequestsWaiting', {
      alarmDescription: 'The oldest job request has waited over 5 minutes: submit is failing or throttled.',
      metric: oldestRequest,
      threshold: 300,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm('ReconcileFaults', {
      alarmDescription:
        'Reconcile invocations ended early on a fault (ReconcileErrors) in 3 periods running: the cluster or the table is failing.',
      metric: count('ReconcileErrors', 'reconcile'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm('JobsLost', {
      alarmDescription:
        'Jobs were recorded LOST: their Kubernetes Job vanished before a terminal state (docs/troubleshooting.md).',
      metric: count('JobsLost', 'reconcile'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm('SubmitRetrying', {
      alarmDescription:
        'Submit left over 10 messages a period for redelivery (RetryLater) for 15 minutes: Kubernetes or DynamoDB is failing it.',
      metric: count('RetryLater', 'submit'),
      threshold: 10,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm('EventsFailing', {
      alarmDescription:
        'Publish could not put events on the bus (EventsFailed) in 3 periods running; they are retried from the stream.',
      metric: count('EventsFailed', 'publish'),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm('EventsNotPublished', {
      alarmDescription:
        'State change events could not be published for 12 hours: their stream positions wait in the publish failures queue (docs/events.md).',
      metric: publishFailures,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm('EventsDelayed', {
      alarmDescription: 'State change events are over 5 minutes behind their writes: publish is failing.',
      metric: eventsAge,
      threshold: 300_000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const [name, fn] of [
      ['Submit', props.submit],
      ['Reconcile', props.reconcile],
      ['Publish', props.publish],
    ] as const) {
      this.alarm(`${name}Errors`, {
        alarmDescription: `The ${name.toLowerCase()} function failed (an uncaught error or a timeout).`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    this.alarm('ReconcileLag', {
      alarmDescription: `Job status reaches DynamoDB over ${props.reconcileLagThresholdSeconds}s after it changed.`,
      metric: reconcileLag,
      threshold: props.reconcileLagThresholdSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm('ReconcileStopped', {
      alarmDescription: 'The reconcile function has not run for 5 minutes: check its schedule rule.',
      metric: reconcileRuns,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    if (props.alarmTopicArn) {
      const topic = sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn);
      for (const alarm of this.alarms) alarm.addAlarmAction(new actions.SnsAction(topic));
    }

    runnerDashboard(this, props, metrics, this.alarms);
  }

  private alarm(id: string, props: cloudwatch.AlarmProps): void {
    this.alarms.push(new cloudwatch.Alarm(this, id, props));
  }
}
