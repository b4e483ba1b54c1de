import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { stateChangeJsonSchema } from '../../shared/core/job/event-schema.ts';
import { FUNCTIONS } from '../../shared/resources.ts';
import { RunnerFunction } from './runner-function.ts';

export interface StateChangeEventsProps {
  table: dynamodb.Table;
  bus: events.IEventBus;
  logRetention: logs.RetentionDays;
  adotLayerArn?: string;
  environment?: Record<string, string>;
}

/**
 * The table's stream -> the publish function -> "Job State Change" events on the bus
 * (docs/events.md), the failure queue of what could not be published, and the event's schema
 * in a Schema Registry.
 */
export class StateChangeEvents extends Construct {
  readonly publish: RunnerFunction;
  /** Where the positions of stream records that could not be published land. */
  readonly failures: sqs.Queue;
  readonly schema: eventschemas.CfnSchema;

  constructor(scope: Construct, id: string, props: StateChangeEventsProps) {
    super(scope, id);
    // Outside the VPC even with placement: it talks to AWS APIs only, never to the cluster.
    this.publish = new RunnerFunction(this, 'Publish', {
      logRetention: props.logRetention,
      adotLayerArn: props.adotLayerArn,
      name: 'publish',
      timeout: Duration.seconds(FUNCTIONS.publish.timeoutSeconds),
      memorySize: FUNCTIONS.publish.memoryMb,
      environment: {
        ...props.environment,
        EVENT_BUS_NAME: props.bus.eventBusName,
        POWERTOOLS_METRICS_NAMESPACE: FUNCTIONS.metricsNamespace,
        POWERTOOLS_SERVICE_NAME: FUNCTIONS.publish.serviceName,
      },
    });
    this.failures = new sqs.Queue(this, 'Failures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // Retried until published, in order per job; only a record this old goes to the queue.
    this.publish.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: FUNCTIONS.publish.batchSize,
        reportBatchItemFailures: true,
        maxRecordAge: Duration.hours(FUNCTIONS.publish.maxRecordAgeHours),
        onFailure: new SqsDlq(this.failures),
      }),
    );
    this.acknowledgeFindings();

    // The event contract in the Schema Registry, so consumers can generate bindings from it.
    const registry = new eventschemas.CfnRegistry(this, 'Schemas', {
      description: 'eks-job-runner event schemas (docs/events.md)',
    });
    this.schema = new eventschemas.CfnSchema(this, 'JobStateChangeSchema', {
      registryName: registry.attrRegistryName,
      schemaName: 'eks-job-runner@JobStateChange',
      type: 'JSONSchemaDraft4',
      content: JSON.stringify(stateChangeJsonSchema()),
      description: '"Job State Change", schema version 1 (docs/schema/job-state-change.v1.json)',
    });
  }

  /** cdk-nag findings that come with a DynamoDB stream event source, each with why it is acceptable. */
  private acknowledgeFindings(): void {
    Validations.of(this.publish.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The DynamoDB event source mapping needs dynamodb:ListStreams, which IAM only grants on "*" (it has no ' +
        'resource type); the stream reads themselves are granted on the one table stream ARN.',
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the failure destination of the publish event source mapping: a DLQ of its own would ' +
        'have nothing to catch, since nothing consumes it but an operator replaying events.',
    });
  }
}
