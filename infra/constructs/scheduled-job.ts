import { Duration, TimeZone } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { submitRequestSchema } from '../../shared/core/submit/request-schema.ts';

export interface ScheduledJobProps {
  /** Prefix of every jobId this schedule makes; unique among the schedules. */
  name: string;
  /** An EventBridge Scheduler expression: `cron(0 2 * * ? *)`, `rate(1 hour)`, `at(...)`. */
  schedule: string;
  /** IANA time zone the cron runs in; UTC when absent. */
  timeZone?: string;
  /** The job request without `jobId` (the schedule sets it per firing). */
  request: Record<string, unknown>;
  queue: sqs.IQueue;
  /** Where a firing goes that Scheduler could not deliver after its retries. */
  deadLetterQueue?: sqs.IQueue;
}

/**
 * Sends a job request to the queue on a schedule. The jobId is the schedule's name and the
 * firing's scheduled time, which Scheduler keeps across its delivery retries: a retried
 * firing carries the same jobId, and submit's conditional write makes it no second Job.
 */
export class ScheduledJob extends Construct {
  readonly schedule: scheduler.Schedule;
  /**
   * The role Scheduler sends as: its messages carry `<role id>:<session>` as their SenderId, which
   * submit's policy must map to the request's owner (JobRunner does, through SCHEDULE_PRINCIPALS).
   */
  readonly senderRole: iam.Role;

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    assertValidRequest(props.name, props.request);
    const timeZone = props.timeZone ? TimeZone.of(props.timeZone) : undefined;
    this.senderRole = new iam.Role(this, 'SendRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: `Sends the requests of the eks-job-runner scheduled job ${props.name}`,
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: `eks-job-runner scheduled job ${props.name}`,
      schedule: scheduler.ScheduleExpression.expression(props.schedule, timeZone),
      target: new targets.SqsSendMessage(props.queue, {
        role: this.senderRole,
        input: scheduler.ScheduleTargetInput.fromObject({
          ...props.request,
          jobId: `${props.name}-${scheduler.ContextAttribute.scheduledTime}`,
        }),
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 10,
        // A firing that could not be delivered within an hour is better reported than late.
        maxEventAge: Duration.hours(1),
      }),
    });
  }
}

/** A request that submit would reject fails the synth, not a firing at 2 a.m. */
function assertValidRequest(name: string, request: Record<string, unknown>): void {
  if ('jobId' in request) throw new Error(`scheduled job ${name}: the schedule sets jobId`);
  const sample = submitRequestSchema.safeParse({ ...request, jobId: `${name}-2030-01-01T02:00:00Z` });
  if (!sample.success) {
    const problems = sample.error.issues.map(
      (issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`,
    );
    throw new Error(`scheduled job ${name}: invalid request (${problems.join('; ')})`);
  }
}
