import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import type * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { USES as PUBLISH_USES } from '../../functions/publish/uses.ts';
import { USES as RECONCILE_USES } from '../../functions/reconcile/uses.ts';
import { USES as SUBMIT_USES } from '../../functions/submit/uses.ts';
import { FUNCTIONS } from '../../shared/resources.ts';
import { ClusterAccess } from './cluster-access.ts';
import { grantUses } from './grants.ts';
import { type JobRunnerProps, minifiedPolicy, validate } from './job-runner-props.ts';
import { JobsQueue } from './jobs-queue.ts';
import { JobsTable } from './jobs-table.ts';
import { Monitoring } from './monitoring.ts';
import { RunnerFunction } from './runner-function.ts';
import { ScheduledJob } from './scheduled-job.ts';
import { StateChangeEvents } from './state-change-events.ts';

export type { ClusterRef, JobRunnerProps, ScheduledJobConfig, SubmitTuning } from './job-runner-props.ts';

/**
 * The serverless control plane: queue -> submit -> Kubernetes Jobs; a one-minute schedule
 * -> reconcile -> DynamoDB; the table's stream -> publish -> "Job State Change" events;
 * alarms and a dashboard.
 */
export class JobRunner extends Construct {
  readonly queue: JobsQueue;
  readonly table: JobsTable;
  readonly bus: events.EventBus;
  readonly stateChangeSchema: eventschemas.CfnSchema;
  readonly submit: RunnerFunction;
  readonly reconcile: RunnerFunction;
  readonly publish: RunnerFunction;
  /** Where the positions of stream records that could not be published land (docs/events.md). */
  readonly publishFailures: sqs.Queue;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: JobRunnerProps) {
    super(scope, id);
    validate(props);
    const jobPolicy = minifiedPolicy(props.jobPolicy);
    this.queue = new JobsQueue(this, 'Jobs');
    this.table = new JobsTable(this, 'Records', { removalPolicy: props.tableRemovalPolicy });
    this.bus = new events.EventBus(this, 'Bus', { description: 'eks-job-runner "Job State Change" events' });
    const common = {
      JOBS_TABLE_NAME: this.table.table.tableName,
      CLUSTER_ACCESS: 'eks',
      EKS_CLUSTER_NAME: props.cluster.name,
      JOBS_NAMESPACES: props.jobsNamespaces.join(','),
      POWERTOOLS_METRICS_NAMESPACE: FUNCTIONS.metricsNamespace,
    };
    const shared = {
      placement: props.placement,
      logRetention: logs.RetentionDays.ONE_MONTH,
      adotLayerArn: props.adotLayerArn,
    };
    this.submit = new RunnerFunction(this, 'Submit', {
      ...shared,
      name: 'submit',
      timeout: Duration.seconds(FUNCTIONS.submit.timeoutSeconds),
      memorySize: FUNCTIONS.submit.memoryMb,
      environment: {
        ...props.functionEnvironment?.submit,
        ...common,
        POWERTOOLS_SERVICE_NAME: FUNCTIONS.submit.serviceName,
        JOB_POLICY: jobPolicy,
      },
    });
    this.reconcile = new RunnerFunction(this, 'Reconcile', {
      ...shared,
      name: 'reconcile',
      timeout: Duration.seconds(props.reconcileWindowSeconds + FUNCTIONS.reconcile.flushSeconds),
      memorySize: FUNCTIONS.reconcile.memoryMb,
      reservedConcurrentExecutions: FUNCTIONS.reconcile.reservedConcurrency,
      environment: {
        ...props.functionEnvironment?.reconcile,
        ...common,
        POWERTOOLS_SERVICE_NAME: FUNCTIONS.reconcile.serviceName,
        RECONCILE_WINDOW_SECONDS: String(props.reconcileWindowSeconds),
        // Reconcile admits queued jobs by the policy's quotas (docs/admission.md).
        JOB_POLICY: jobPolicy,
      },
    });

    const stateChanges = new StateChangeEvents(this, 'StateChanges', {
      table: this.table.table,
      bus: this.bus,
      logRetention: shared.logRetention,
      adotLayerArn: shared.adotLayerArn,
      environment: props.functionEnvironment?.publish,
    });
    this.publish = stateChanges.publish;
    this.publishFailures = stateChanges.failures;
    this.stateChangeSchema = stateChanges.schema;

    this.submit.function.addEventSource(
      new SqsEventSource(this.queue.queue, {
        batchSize: props.submit.batchSize,
        maxBatchingWindow: Duration.seconds(props.submit.maxBatchingWindowSeconds),
        maxConcurrency: props.submit.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // A tick that could not start within one period is stale: the next one is already due.
    const period = Duration.seconds(FUNCTIONS.reconcile.scheduleSeconds);
    this.reconcile.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: period });
    new events.Rule(this, 'ReconcileSchedule', {
      description: 'Runs the reconcile function every minute',
      schedule: events.Schedule.rate(period),
      targets: [
        new eventTargets.LambdaFunction(this.reconcile.function, { retryAttempts: 0, maxEventAge: period }),
      ],
    });

    // Each function may call exactly the AWS actions of the adapter methods it uses (uses.ts).
    const resources = {
      dynamodb: [this.table.table.tableArn],
      events: [this.bus.eventBusArn],
      eks: [props.cluster.arn],
    };
    grantUses(this.submit.role, SUBMIT_USES, resources);
    grantUses(this.reconcile.role, RECONCILE_USES, resources);
    grantUses(this.publish.role, PUBLISH_USES, resources);

    new ClusterAccess(this, 'ClusterAccess', {
      clusterName: props.cluster.name,
      principals: { submit: this.submit.role, reconcile: this.reconcile.role },
      namespaces: props.jobsNamespaces,
      managedCluster: props.cluster.managed,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      queue: this.queue.queue,
      deadLetterQueue: this.queue.deadLetterQueue,
      submit: this.submit.function,
      reconcile: this.reconcile.function,
      publish: this.publish.function,
      publishFailures: this.publishFailures,
      reconcileService: FUNCTIONS.reconcile.serviceName,
      reconcileLagThresholdSeconds: props.reconcileLagThresholdSeconds ?? 120,
      alarmTopicArn: props.alarmTopicArn,
    });

    const schedulePrincipals = (props.scheduledJobs ?? []).map((job) => {
      const scheduled = new ScheduledJob(this, `Scheduled-${job.name}`, {
        ...job,
        queue: this.queue.queue,
        deadLetterQueue: this.queue.deadLetterQueue,
      });
      // Ownership (docs/ownership.md): the schedule's role may submit as its request's owner.
      return { senderId: `${scheduled.senderRole.roleId}:*`, owners: [String(job.request.owner)] };
    });
    if (schedulePrincipals.length > 0) {
      this.submit.function.addEnvironment(
        'SCHEDULE_PRINCIPALS',
        Stack.of(this).toJsonString(schedulePrincipals),
      );
    }

    const outputs = {
      QueueUrl: this.queue.queue.queueUrl,
      DeadLetterQueueUrl: this.queue.deadLetterQueue.queueUrl,
      TableName: this.table.table.tableName,
      EventBusName: this.bus.eventBusName,
      SubmitFunctionName: this.submit.function.functionName,
      ReconcileFunctionName: this.reconcile.function.functionName,
      PublishFunctionName: this.publish.function.functionName,
      PublishFailuresQueueUrl: this.publishFailures.queueUrl,
    };
    for (const [name, value] of Object.entries(outputs)) {
      // Plain output names, so that scripts and docs can ask for `QueueUrl`.
      new CfnOutput(this, name, { value }).overrideLogicalId(name);
    }
  }
}
