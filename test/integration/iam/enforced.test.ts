// IAM proven by enforcement: the three functions run as deployed (their bundles, each in a runtime
// of its own, with its own access key id) behind a recording proxy; every AWS call they and their
// event sources make is evaluated with an IAM policy simulator against the policy CDK synthesizes
// for that function, and each grant of those policies is removed in turn to show a call it allows.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { functionAccessKeyId, localAwsConfig } from '../../../infra/local/aws/client-config.ts';
import { isTerminal } from '../../../shared/core/job/state.ts';
import { EventTap } from '../../chaos/kit.ts';
import { denied, type Exemption, grantsUnused } from '../../support/iam/evaluate.ts';
import { type RecordingProxy, startRecordingProxy } from '../../support/iam/recording-proxy.ts';
import { type FunctionName, functionPolicies } from '../../support/iam/synthesized-policies.ts';
import { deleteJobForGood } from '../../support/kube.ts';
import {
  buildBundles,
  createQueues,
  type Queues,
  type Runtime,
  sendAll,
  startRuntime,
} from '../submit/pipeline.ts';
import { admin, EXAMPLE_POLICY_FILE, getRecord, stack, uid, waitFor } from '../submit/support.ts';

const FUNCTIONS: FunctionName[] = ['submit', 'reconcile', 'publish'];

/** Grants the recorded calls need not show, each with why; everything else must be needed. */
const EXEMPT: Record<FunctionName, Exemption[]> = {
  submit: [
    ...logs(),
    ...xray(),
    {
      action: 'sqs:ChangeMessageVisibility',
      reason:
        "CDK's SqsEventSource grants the Lambda poller this; the local poller lets messages time out instead",
    },
    { action: 'sqs:GetQueueUrl', reason: "CDK's SqsEventSource grants it; the poller is given the URL" },
    eksAccess(),
  ],
  reconcile: [...logs(), ...xray(), eksAccess()],
  publish: [
    ...logs(),
    ...xray(),
    {
      action: 'dynamodb:ListStreams',
      reason: 'the stream event source lists streams in AWS; locally it is given the ARN',
    },
    ...['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'].map((action) => ({
      action,
      reason:
        'the failure destination: Lambda sends to it after 12 h of failures, which the emulation never reaches',
    })),
  ],
};

function logs(): Exemption[] {
  return ['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
    action,
    reason: "Lambda's runtime writes the function's logs, not its code",
  }));
}
function xray(): Exemption[] {
  return ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'].map((action) => ({
    action,
    reason: "active tracing: Lambda's X-Ray daemon (or the ADOT layer) sends the traces, not the bundle",
  }));
}
function eksAccess(): Exemption {
  return {
    action: 'eks:DescribeCluster',
    reason:
      'only with CLUSTER_ACCESS=eks (locally: kubeconfigs); test/unit/adapters/iam.test.ts shows describeCluster sends it',
  };
}

const owner = uid('iam');
const ids = {
  ok: `${owner}-ok`,
  long: `${owner}-long`,
  bad: `${owner}-bad`,
  early: `${owner}-early`,
  gone: `${owner}-gone`,
  /** Admission: one of the four waits for the owner's quota of 3, `after` for `ok`. */
  waits: `${owner}-waits`,
  after: `${owner}-after`,
};
const job = (jobId: string, duration: string, extra: object = {}) => ({
  jobId,
  owner,
  image: 'public.ecr.aws/docker/library/busybox:1.36',
  command: ['true'],
  podAnnotations: { 'outcome.local/duration': duration },
  ...extra,
});
/** The example policy with a quota for this owner, so that admission's calls are recorded too. */
const policy = JSON.stringify({
  ...JSON.parse(readFileSync(EXAMPLE_POLICY_FILE, 'utf8')),
  admission: { quotas: { owners: { [owner]: { maxActiveJobs: 3 } } } },
});
// by the owner: a tombstone is owned by who cancelled, and the tap follows this owner's events
const cancel = (jobId: string) => ({ action: 'cancel', jobId, requestedBy: owner, reason: 'enough' });

describe('IAM: every call the functions make is allowed by the policy CDK synthesizes, and every grant is needed', {
  timeout: 300_000,
}, () => {
  let proxy: RecordingProxy | undefined;
  let queues: Queues | undefined;
  const runtimes: Runtime[] = [];
  const tap = new EventTap();

  before(async () => {
    // SQS (signing name sqs) to the stack's SQS endpoint (ElasticMQ), the rest to moto.
    proxy = await startRecordingProxy(stack.aws.endpoint, { sqs: stack.aws.sqsEndpoint });
    queues = await createQueues('it-iam');
    await tap.open(owner);
    const dist = await buildBundles();
    for (const name of FUNCTIONS) {
      const args = ['--functions', name];
      if (name === 'reconcile')
        args.push('--schedule-period', '5', '--first-firing', 'immediately', '--reconcile-window', '4');
      runtimes.push(
        startRuntime(queues, dist, { args, endpoint: proxy.endpoint, env: { JOB_POLICY: policy } }),
      );
    }
  });
  after(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await proxy?.stop();
    await tap.close();
    await queues?.delete();
  });

  it('runs every path: accepted, succeeded, rejected, cancelled, cancelled before submit, lost, queued for quota and for a dependency', async () => {
    const url = queues?.url ?? '';
    const bodies = [
      job(ids.ok, '1s'),
      job(ids.long, '120s'),
      job(ids.gone, '120s'),
      { ...job(ids.bad, '1s'), retries: -1 },
      cancel(ids.early),
      job(ids.waits, '1s'),
    ];
    await sendAll(
      url,
      bodies.map((body) => JSON.stringify(body)),
    );
    await waitFor(
      'the long jobs running',
      async () => {
        const [long, gone] = await Promise.all([getRecord(ids.long), getRecord(ids.gone)]);
        return long?.state === 'RUNNING' && gone?.state === 'RUNNING' ? true : undefined;
      },
      120_000,
    );
    // A dependency must exist before the job that names it: `ok` does by now.
    const dependent = job(ids.after, '1s', { dependsOn: [{ jobId: ids.ok }] });
    await sendAll(url, [JSON.stringify(cancel(ids.long)), JSON.stringify(dependent)]);
    // an out-of-band delete: the job is LOST (reconcile confirms with a read of the record)
    const gone = await getRecord(ids.gone);
    await deleteJobForGood(admin, gone?.namespace ?? '', gone?.jobName ?? '');
    const want = {
      ok: 'SUCCEEDED',
      long: 'CANCELLED',
      bad: 'REJECTED',
      early: 'CANCELLED',
      gone: 'LOST',
      waits: 'SUCCEEDED',
      after: 'SUCCEEDED',
    };
    const records = await waitFor(
      'every job in its final state',
      async () => {
        const all = await Promise.all(Object.values(ids).map((id) => getRecord(id)));
        return all.every((r) => r && isTerminal(r.state)) ? all : undefined;
      },
      180_000,
    );
    assert.deepEqual(
      records.map((r) => r?.state),
      Object.values(want),
    );
    // the final state of each has reached the bus through publish
    await waitFor(
      'their events',
      async () => {
        await tap.drain();
        return records.every((r) => tap.states.get(r?.jobId ?? '')?.has(r?.state ?? '')) ? true : undefined;
      },
      60_000,
    );
  });

  it('every recorded call is allowed, and removing any grant denies one (the exemptions aside)', async () => {
    const calls = proxy?.calls ?? [];
    const dynamodb = new DynamoDBClient(localAwsConfig(stack.aws.endpoint, stack.aws.region));
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: stack.aws.tableName }));
    dynamodb.destroy();
    const queueName = (queueUrl: string) => queueUrl.split('/').pop() ?? '';
    const policies = functionPolicies({
      region: stack.aws.region,
      account: '123456789012',
      names: {
        tableName: stack.aws.tableName,
        queueName: queueName(queues?.url ?? ''),
        dlqName: queueName(queues?.dlqUrl ?? ''),
        eventBusName: stack.aws.eventBusName,
        publishFailuresQueueName: 'publish-failures',
      },
      streamArn: Table?.LatestStreamArn ?? '',
      clusterName: 'jobs',
    });
    for (const name of FUNCTIONS) {
      const mine = calls.filter((call) => call.accessKeyId === functionAccessKeyId(name));
      assert.ok(mine.length > 0, `${name} made calls`);
      const refused = await denied(mine, policies[name]);
      assert.deepEqual(
        refused.map((c) => `${c.action} ${c.resources.join(' ')}`),
        [],
        `${name}: calls its policy denies`,
      );
      const unused = await grantsUnused(mine, policies[name], EXEMPT[name]);
      assert.deepEqual(
        unused.map((g) => `${g.action} on ${g.resource}`),
        [],
        `${name}: grants no recorded call needs`,
      );
    }
  });
});
