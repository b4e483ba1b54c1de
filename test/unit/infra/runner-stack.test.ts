// The runner stack against an imported cluster, synthesized once (with the real esbuild
// bundles) from cdk.json's context plus a scheduled job and an alarm topic.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildBundle } from '../../../infra/build-bundle.ts';
import { BUNDLING, functionEntry } from '../../../infra/bundling.ts';
import { PROJECT_ROOT } from '../../../infra/constructs/project-root.ts';
import { indexProjection } from '../../../infra/local/aws/definitions.ts';
import { EVENT_SCHEMA_FILE } from '../../../scripts/generate-schema.ts';
import { FUNCTIONS, JOBS_QUEUE, JOBS_TABLE } from '../../../shared/resources.ts';
import { type Cfn, leaves, synthApp } from './support.ts';

const nightly = {
  name: 'nightly-report',
  schedule: 'cron(0 2 * * ? *)',
  timeZone: 'Europe/Berlin',
  request: { owner: 'team-reports', image: 'public.ecr.aws/docker/library/busybox:1.36', command: ['true'] },
};
const alarmTopicArn = 'arn:aws:sns:eu-west-1:123456789012:ops-alarms';
const { runner, outdir } = synthApp(
  { scheduledJobs: [nightly], alarmTopicArn, jobsNamespaces: 'jobs,jobs-extra' },
  { bundle: true },
);
const template = Template.fromStack(runner);
const json = template.toJSON();
const resources = Object.entries(json.Resources as Record<string, { Type: string; Properties: Cfn }>);

function logicalId(type: string, props: object): string {
  const found = Object.keys(template.findResources(type, { Properties: Match.objectLike(props) }));
  assert.equal(
    found.length,
    1,
    `expected one ${type} matching ${JSON.stringify(props)}, found ${found.length}`,
  );
  return found[0] as string;
}
const submitId = logicalId('AWS::Lambda::Function', {
  Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'submit' }) },
});
const reconcileId = logicalId('AWS::Lambda::Function', {
  Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'reconcile' }) },
});
const publishId = logicalId('AWS::Lambda::Function', {
  Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'publish' }) },
});
const fn = (id: string) => json.Resources[id].Properties;
const queueId = logicalId('AWS::SQS::Queue', { RedrivePolicy: Match.anyValue() });
const dlqId = json.Resources[queueId].Properties.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0] as string;
const publishFailuresId = Object.keys(template.findResources('AWS::SQS::Queue')).find(
  (id) => id !== queueId && id !== dlqId,
) as string;
const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0] as string;
const busId = Object.keys(template.findResources('AWS::Events::EventBus'))[0] as string;

describe('jobs queue', () => {
  test('is encrypted with SQS-managed keys and refuses plain HTTP, like its DLQ', () => {
    for (const id of [queueId, dlqId]) {
      assert.equal(json.Resources[id].Properties.SqsManagedSseEnabled, true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  test('redrives to the DLQ after maxReceiveCount and keeps messages as JOBS_QUEUE says', () => {
    const queue = json.Resources[queueId].Properties;
    assert.deepEqual(queue.RedrivePolicy, {
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
      maxReceiveCount: JOBS_QUEUE.maxReceiveCount,
    });
    assert.equal(queue.MessageRetentionPeriod, JOBS_QUEUE.retentionSeconds);
    assert.equal(json.Resources[dlqId].Properties.MessageRetentionPeriod, JOBS_QUEUE.dlqRetentionSeconds);
  });

  test('hides a message for at least 6x the submit timeout', () => {
    const visibility = json.Resources[queueId].Properties.VisibilityTimeout;
    assert.equal(visibility, JOBS_QUEUE.visibilityTimeoutSeconds);
    assert.ok(visibility >= 6 * fn(submitId).Timeout, `${visibility}s < 6 x ${fn(submitId).Timeout}s`);
  });
});

describe('jobs table', () => {
  test('is on-demand with point-in-time recovery, TTL and the shared key schema', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: JOBS_TABLE.ttlAttribute, Enabled: true },
      KeySchema: [{ AttributeName: JOBS_TABLE.partitionKey.name, KeyType: 'HASH' }],
    });
  });

  test('has the GSIs of JOBS_TABLE, with their projections (as the local stack builds them)', () => {
    const indexes = json.Resources[tableId].Properties.GlobalSecondaryIndexes;
    assert.deepEqual(
      indexes,
      JOBS_TABLE.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: indexProjection(index.projection),
      })),
    );
  });

  test('is retained when the stack is deleted, by default', () => {
    assert.equal(json.Resources[tableId].DeletionPolicy, 'Retain');
    assert.equal(json.Resources[tableId].UpdateReplacePolicy, 'Retain');
  });
});

describe('functions', () => {
  test('run nodejs24.x on arm64 from the esbuild bundle', () => {
    for (const id of [submitId, reconcileId]) {
      assert.equal(fn(id).Runtime, 'nodejs24.x');
      assert.deepEqual(fn(id).Architectures, ['arm64']);
      assert.equal(fn(id).Handler, 'index.handler');
    }
  });

  test('get exactly the environment the handlers read', () => {
    const common = {
      JOBS_TABLE_NAME: { Ref: tableId },
      CLUSTER_ACCESS: 'eks',
      EKS_CLUSTER_NAME: 'jobs',
      JOBS_NAMESPACES: 'jobs,jobs-extra',
      POWERTOOLS_METRICS_NAMESPACE: 'EksJobRunner',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const { SCHEDULE_PRINCIPALS, ...submit } = fn(submitId).Environment.Variables;
    assert.deepEqual(submit, {
      ...common,
      POWERTOOLS_SERVICE_NAME: 'submit',
      JOB_POLICY: '{}',
    });
    assert.ok(SCHEDULE_PRINCIPALS, "the scheduled job's sender (tested below)");
    assert.deepEqual(fn(reconcileId).Environment.Variables, {
      ...common,
      POWERTOOLS_SERVICE_NAME: 'reconcile',
      RECONCILE_WINDOW_SECONDS: String(FUNCTIONS.reconcile.windowSeconds),
      JOB_POLICY: '{}',
    });
    assert.deepEqual(fn(publishId).Environment.Variables, {
      EVENT_BUS_NAME: { Ref: busId },
      POWERTOOLS_METRICS_NAMESPACE: 'EksJobRunner',
      POWERTOOLS_SERVICE_NAME: 'publish',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  test('submit consumes the queue with partial batch failures and the configured batching', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: submitId },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    assert.equal(fn(submitId).Timeout, JOBS_QUEUE.submitTimeoutSeconds);
  });

  test('reconcile runs alone, every minute, with a timeout matched to its watch window', () => {
    assert.equal(fn(reconcileId).ReservedConcurrentExecutions, 1);
    assert.equal(
      fn(reconcileId).Timeout,
      FUNCTIONS.reconcile.windowSeconds + FUNCTIONS.reconcile.flushSeconds,
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [reconcileId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: reconcileId },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
  });

  test('are outside any VPC unless placement is configured', () => {
    for (const id of [submitId, reconcileId, publishId]) assert.equal(fn(id).VpcConfig, undefined);
  });
});

describe('bundle', () => {
  function assetDir(id: string): string {
    // The staged asset directory is named after the hash the S3 key carries.
    const hash = (fn(id).Code.S3Key as string).replace(/\.zip$/, '');
    return join(outdir, `asset.${hash}`);
  }

  test('is the ESM bundle of infra/bundling.ts: .mjs, the require banner, a source map', () => {
    for (const id of [submitId, reconcileId, publishId]) {
      const dir = assetDir(id);
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      assert.ok(code.startsWith(BUNDLING.banner), 'bundle does not start with the createRequire banner');
      assert.ok(existsSync(join(dir, 'index.mjs.map')), 'no source map');
      // The map that --enable-source-maps parses at init names the sources without their text.
      const map = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as {
        sourcesContent?: unknown;
      };
      assert.equal(map.sourcesContent, undefined);
      assert.match(code, /export\s*\{[^}]*handler/, 'no ESM export of handler');
    }
  });

  test('is byte for byte what esbuild makes of BUNDLING directly (the bundle run locally)', async () => {
    const outfile = join(outdir, 'local-build', 'index.mjs');
    await buildBundle(join(PROJECT_ROOT, functionEntry('submit')), outfile, 'silent');
    const deployed = readFileSync(join(assetDir(submitId), 'index.mjs'));
    assert.ok(deployed.equals(readFileSync(outfile)), 'the CDK bundle differs from the local one');
  });

  test('bundles every dependency, the AWS SDK included', () => {
    for (const id of [submitId, reconcileId, publishId]) {
      const code = readFileSync(join(assetDir(id), 'index.mjs'), 'utf8');
      const external = new Set(
        [
          ...code.matchAll(
            /(?:\bfrom|\bimport\s*\(|\brequire\s*\()\s*["'](@?[a-z0-9][\w.-]*(?:\/[\w.-]+)*)["']/g,
          ),
        ]
          .map((match) => (match[1] as string).replace(/^node:/, ''))
          .filter((name) => !builtinModules.includes(name.split('/')[0] as string)),
      );
      // The SDK's optional SigV4a signers (required inside a try, or named in an error message):
      // SigV4a is for multi-region endpoints, which none of the clients here use.
      external.delete('@aws-sdk/signature-v4-crt');
      external.delete('@aws-sdk/signature-v4a');
      assert.deepEqual([...external], []);
    }
  });
});

describe('events', () => {
  test('the "Job State Change" schema is in a Schema Registry, as docs/schema/job-state-change.v1.json has it', () => {
    const [registry] = Object.keys(template.findResources('AWS::EventSchemas::Registry'));
    const [schema] = Object.values(template.findResources('AWS::EventSchemas::Schema')) as Cfn[];
    assert.deepEqual(schema.Properties.RegistryName, { 'Fn::GetAtt': [registry, 'RegistryName'] });
    assert.equal(schema.Properties.Type, 'JSONSchemaDraft4');
    assert.equal(schema.Properties.SchemaName, 'eks-job-runner@JobStateChange');
    assert.deepEqual(
      JSON.parse(schema.Properties.Content),
      JSON.parse(readFileSync(EVENT_SCHEMA_FILE, 'utf8')),
    );
  });

  test("come from the table's stream: every write, before and after", () => {
    assert.deepEqual(json.Resources[tableId].Properties.StreamSpecification, {
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
  });

  test('publish reads the stream in order, retried from the first failed record until published', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: publishId },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: FUNCTIONS.publish.batchSize,
      MaximumRecordAgeInSeconds: FUNCTIONS.publish.maxRecordAgeHours * 3600,
      // no MaximumRetryAttempts: unlimited, until the record's age runs out
      MaximumRetryAttempts: Match.absent(),
      ParallelizationFactor: Match.absent(),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [publishFailuresId, 'Arn'] } } },
    });
    assert.equal(fn(publishId).Timeout, FUNCTIONS.publish.timeoutSeconds);
  });
});

describe('IAM', () => {
  const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
  const indexArn = (name: string) => ({ 'Fn::Join': ['', [tableArn, `/index/${name}`]] });
  const clusterArn = {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:eu-west-1:123456789012:cluster/jobs']],
  };
  function statements(id: string) {
    const role = fn(id).Role['Fn::GetAtt'][0];
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }),
    );
    assert.equal(policies.length, 1);
    return (policies[0] as Cfn).Properties.PolicyDocument.Statement as Cfn[];
  }
  /** What active tracing adds to every function role; IAM grants these two on "*" only. */
  const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
  /** Actions that have no resource type, so that IAM evaluates them on "*" alone. */
  const STAR_ONLY = ['dynamodb:ListStreams', ...XRAY];

  test('submit may read, batch-read and write the table, query its status index, describe the one cluster, consume the queue, and no more', () => {
    assert.deepEqual(statements(submitId), [
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [fn(submitId).LoggingConfig.LogGroup.Ref, 'Arn'] },
      },
      { Action: XRAY, Effect: 'Allow', Resource: '*' },
      {
        Action: [
          'sqs:ChangeMessageVisibility',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:ReceiveMessage',
        ],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      },
      {
        // BatchGetItem: the batch's cancel check (getStates), missing before the grants came from the code.
        // UpdateItem: the usage counters of admission, in the record's transaction.
        Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: tableArn,
      },
      // The admission pass reads the queue (QUEUED records) from the status index.
      { Action: 'dynamodb:Query', Effect: 'Allow', Resource: indexArn('byStatus') },
      { Action: 'eks:DescribeCluster', Effect: 'Allow', Resource: clusterArn },
    ]);
  });

  test('publish may read the table stream, put events on the bus and report to its failure queue, and no more', () => {
    assert.deepEqual(statements(publishId), [
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [fn(publishId).LoggingConfig.LogGroup.Ref, 'Arn'] },
      },
      // Active tracing's X-Ray actions and the event source's ListStreams, merged by minimizePolicies.
      { Action: ['dynamodb:ListStreams', ...XRAY], Effect: 'Allow', Resource: '*' },
      {
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [publishFailuresId, 'Arn'] },
      },
      {
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      },
      { Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } },
    ]);
  });

  test('only publish may put events: submit and reconcile write records, never events', () => {
    for (const id of [submitId, reconcileId]) assert.ok(!JSON.stringify(statements(id)).includes('events:'));
  });

  test('reconcile may also batch-read, query the status index only, and may not touch the queue', () => {
    const reconcile = statements(reconcileId);
    assert.deepEqual(
      reconcile.filter((s) => JSON.stringify(s.Action).includes('dynamodb')),
      [
        {
          Action: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Effect: 'Allow',
          Resource: tableArn,
        },
        { Action: 'dynamodb:Query', Effect: 'Allow', Resource: indexArn('byStatus') },
      ],
    );
    assert.ok(!JSON.stringify(reconcile).includes('sqs:'));
    assert.ok(
      reconcile.some(
        (s) => JSON.stringify(s) === JSON.stringify({ Action: XRAY, Effect: 'Allow', Resource: '*' }),
      ),
    );
    assert.ok(
      reconcile.some(
        (s) =>
          s.Action === 'eks:DescribeCluster' && JSON.stringify(s.Resource) === JSON.stringify(clusterArn),
      ),
    );
  });

  test('no statement anywhere in the stack has a wildcard resource or action, but for actions IAM grants on "*" only', () => {
    for (const [id, resource] of resources) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      for (const statement of resource.Properties.PolicyDocument.Statement) {
        // IAM grants ListStreams (the mapping's) and X-Ray's (active tracing's) on "*" only.
        if ([statement.Action].flat().every((action: string) => STAR_ONLY.includes(action))) continue;
        for (const value of leaves([statement.Resource, statement.Action])) {
          assert.ok(
            !(typeof value === 'string' && value.includes('*')),
            `${id}: wildcard in ${JSON.stringify(statement)}`,
          );
        }
      }
    }
  });

  test('the function roles carry no managed policies', () => {
    for (const id of [submitId, reconcileId, publishId]) {
      const role = json.Resources[fn(id).Role['Fn::GetAtt'][0]].Properties;
      assert.equal(role.ManagedPolicyArns, undefined);
    }
  });
});

describe('cluster access', () => {
  test('an access entry maps each function role into its RoleBinding group of the imported cluster', () => {
    const entries = Object.values(template.findResources('AWS::EKS::AccessEntry')).map(
      (r: Cfn) => r.Properties,
    );
    assert.deepEqual(
      entries.map((entry) => entry.PrincipalArn),
      [submitId, reconcileId].map((id) => fn(id).Role),
    );
    // Each function's role into its own group (infra/k8s/rbac.yaml binds one Role to each).
    assert.deepEqual(
      entries.map((entry) => entry.KubernetesGroups),
      [['eks-job-runner-submit'], ['eks-job-runner-reconcile']],
    );
    for (const entry of entries) {
      assert.equal(entry.ClusterName, 'jobs');
      assert.equal(entry.Type, 'STANDARD');
      assert.equal(entry.AccessPolicies, undefined, 'no cluster-wide access policy');
    }
  });

  test('the stack prints the kubectl command that applies the RBAC to each jobs namespace', () => {
    assert.equal(
      json.Outputs.ApplyRbacCommand.Value,
      "sed 's/NAMESPACE/jobs/g' infra/k8s/rbac.yaml | kubectl apply -f - && " +
        "sed 's/NAMESPACE/jobs-extra/g' infra/k8s/rbac.yaml | kubectl apply -f -",
    );
  });
});

describe('outputs', () => {
  test('have plain names that scripts can ask for', () => {
    assert.deepEqual(json.Outputs.QueueUrl.Value, { Ref: queueId });
    assert.deepEqual(json.Outputs.DeadLetterQueueUrl.Value, { Ref: dlqId });
    assert.deepEqual(json.Outputs.TableName.Value, { Ref: tableId });
    assert.deepEqual(json.Outputs.EventBusName.Value, { Ref: busId });
    assert.deepEqual(json.Outputs.SubmitFunctionName.Value, { Ref: submitId });
    assert.deepEqual(json.Outputs.ReconcileFunctionName.Value, { Ref: reconcileId });
    assert.deepEqual(json.Outputs.PublishFunctionName.Value, { Ref: publishId });
    assert.deepEqual(json.Outputs.PublishFailuresQueueUrl.Value, { Ref: publishFailuresId });
  });
});

describe('monitoring', () => {
  const alarms = () =>
    Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r: Cfn) => r.Properties);

  test('alarms when the DLQ holds a message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('alarms on errors of each function', () => {
    for (const id of [submitId, reconcileId]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }],
      });
    }
  });

  test('alarms on reconcile lag (ReconcileLagSeconds) and on reconcile not running', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'EksJobRunner',
      MetricName: 'ReconcileLagSeconds',
      Dimensions: [{ Name: 'service', Value: 'reconcile' }],
      Statistic: 'Maximum',
      Threshold: 120,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: reconcileId } }],
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('alarms on the custom metrics that matter: reconcile faults, lost jobs, submit retries, failing events', () => {
    for (const [metric, service] of [
      ['ReconcileErrors', 'reconcile'],
      ['JobsLost', 'reconcile'],
      ['RetryLater', 'submit'],
      ['EventsFailed', 'publish'],
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: FUNCTIONS.metricsNamespace,
        MetricName: metric,
        Dimensions: [{ Name: 'service', Value: service }],
        Statistic: 'Sum',
      });
    }
  });

  test('alarms when events are late, or could not be published at all', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: publishId } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [publishFailuresId, 'QueueName'] } }],
      Threshold: 1,
    });
  });

  test('every alarm notifies the configured topic, and a dashboard shows the flow', () => {
    assert.equal(alarms().length, 13);
    for (const alarm of alarms()) assert.deepEqual(alarm.AlarmActions, [alarmTopicArn]);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Cfn[];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    // outcomes per state, submit and reconcile latency, write conflicts and Kubernetes API calls
    for (const metric of [
      'Accepted',
      'JobsSucceeded',
      'JobsFailed',
      'Duration',
      'ReconcileLagSeconds',
      'WriteConflicts',
      'KubeApiCalls',
      'IteratorAge',
    ])
      assert.ok(body.includes(`\\"${metric}\\"`), `the dashboard shows ${metric}`);
  });
});

describe('scheduled job', () => {
  const schedule = () =>
    (Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as Cfn).Properties;

  test('sends the request to the queue with a jobId unique per firing', () => {
    const props = schedule();
    assert.equal(props.ScheduleExpression, 'cron(0 2 * * ? *)');
    assert.equal(props.ScheduleExpressionTimezone, 'Europe/Berlin');
    assert.deepEqual(props.Target.Arn, { 'Fn::GetAtt': [queueId, 'Arn'] });
    assert.deepEqual(JSON.parse(props.Target.Input), {
      ...nightly.request,
      jobId: 'nightly-report-<aws.scheduler.scheduled-time>',
    });
  });

  test('sends what it could not deliver to the DLQ, and may send only to the two queues', () => {
    const props = schedule();
    assert.deepEqual(props.Target.DeadLetterConfig, { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } });
    const roleId = props.Target.RoleArn['Fn::GetAtt'][0];
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'sqs:SendMessage',
            Effect: 'Allow',
            Resource: [{ 'Fn::GetAtt': [dlqId, 'Arn'] }, { 'Fn::GetAtt': [queueId, 'Arn'] }],
          },
        ],
      },
    });
  });

  test("maps the schedule's role to its request's owner for submit (docs/ownership.md)", () => {
    const roleId = schedule().Target.RoleArn['Fn::GetAtt'][0];
    const variables = fn(submitId).Environment.Variables;
    const principals = JSON.stringify(variables.SCHEDULE_PRINCIPALS);
    assert.ok(principals.includes(roleId), 'the sender id is the role id');
    assert.ok(principals.includes(':*') && principals.includes('team-reports'));
  });
});
