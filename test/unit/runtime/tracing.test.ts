// The spans of docs/deploy.md ("Tracing") as an SDK records them: a tracer provider with an
// in-memory exporter, registered for this file only (node --test runs each file in its own
// process; every other test runs with the API's no-op, as the functions do without the ADOT layer).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KubeConfig } from '@kubernetes/client-node';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { reconcile } from '../../../functions/reconcile/reconciler.ts';
import { runBatch } from '../../../functions/submit/batch.ts';
import { DynamoDbJobQueries } from '../../../shared/adapters/dynamodb/job-queries.ts';
import { DynamoDbJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { EventBridgePublisher } from '../../../shared/adapters/eventbridge/publisher.ts';
import { KubeClient } from '../../../shared/adapters/kubernetes/client.ts';
import { stateChangeEvent } from '../../../shared/core/job/events.ts';
import { job, record } from '../core/reconcile/fixtures.ts';
import { FakeKube } from '../fakes/kube.ts';
import { MemoryStore } from '../fakes/store.ts';
import { body, far, request, testDeps } from '../functions/submit/fakes.ts';

const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);
beforeEach(() => exporter.reset());

const named = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);
const parentOf = (span: ReadableSpan) =>
  exporter.getFinishedSpans().find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);

/** A DynamoDB table at the document client's boundary: conditional creates, transactions of them, gets and batch gets. */
function stubTable(): DynamoDBDocumentClient {
  const items = new Map<string, Record<string, unknown>>();
  const send = async (command: { constructor: { name: string }; input: Record<string, never> }) => {
    const input = command.input as Record<string, unknown> & { Item?: { jobId: string } };
    switch (command.constructor.name) {
      case 'PutCommand': {
        const jobId = input.Item?.jobId as string;
        if (String(input.ConditionExpression).startsWith('attribute_not_exists') && items.has(jobId))
          throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
        items.set(jobId, input.Item as Record<string, unknown>);
        return {};
      }
      case 'TransactWriteCommand': {
        // Only new records' puts (createAll), all absent in these tests: applied.
        for (const { Put } of input.TransactItems as { Put: { Item: { jobId: string } } }[])
          items.set(Put.Item.jobId, Put.Item);
        return {};
      }
      case 'GetCommand':
        return { Item: items.get((input.Key as { jobId: string }).jobId) };
      case 'BatchGetCommand': {
        const [table, { Keys }] = Object.entries(
          input.RequestItems as Record<string, { Keys: { jobId: string }[] }>,
        )[0] as [string, { Keys: { jobId: string }[] }];
        return { Responses: { [table]: Keys.map((k) => items.get(k.jobId)).filter(Boolean) } };
      }
      default:
        throw new Error(`no stub for ${command.constructor.name}`);
    }
  };
  return { send } as unknown as DynamoDBDocumentClient;
}

describe('tracing: submit', () => {
  it('one span per message with its job id and message id; its DynamoDB calls are children', async () => {
    const table = stubTable();
    const deps = testDeps({
      store: new DynamoDbJobStore(table, 'jobs'),
      reader: new DynamoDbJobQueries(table, 'jobs'),
    });
    // job-1's create fails on every attempt: it is left for redelivery (RetryLater).
    deps.kube.failNext('create', { status: 503, message: 'unavailable' }, 4);
    const records = [
      { messageId: 'm-1', body: body(request({ jobId: 'job-1' })) },
      { messageId: 'm-2', body: body(request({ jobId: 'job-2' })) },
      { messageId: 'm-3', body: 'not json' },
    ];
    const result = await runBatch(deps, records, { concurrency: 1, deadline: far() });
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: 'm-1' }]);

    const messages = new Map(
      named('submit message').map((span) => [span.attributes['messaging.message.id'], span]),
    );
    assert.deepEqual([...messages.keys()], ['m-1', 'm-2', 'm-3']);
    const [failed, accepted, rejected] = [...messages.values()] as ReadableSpan[];
    assert.equal(accepted?.kind, SpanKind.CONSUMER);
    assert.equal(accepted?.attributes['job.id'], 'job-2');
    assert.equal(accepted?.attributes['submit.outcome'], 'Accepted');
    assert.equal(accepted?.status.code, SpanStatusCode.UNSET);
    assert.deepEqual(accepted?.attributes['aws.xray.annotations'], ['job.id']);
    assert.equal(
      rejected?.attributes['job.id'],
      'm-3',
      'an unreadable body is recorded under its message id',
    );
    assert.equal(rejected?.attributes['submit.outcome'], 'Rejected');
    assert.equal(failed?.attributes['job.id'], 'job-1');
    assert.equal(failed?.status.code, SpanStatusCode.ERROR);
    assert.equal(failed?.events.filter((e) => e.name === 'retry').length, 3, 'the Kubernetes retries');
    assert.equal(failed?.events.at(-1)?.name, 'exception');

    const puts = named('dynamodb PutItem');
    assert.equal(puts.length, 3);
    for (const put of puts) {
      assert.equal(put.kind, SpanKind.CLIENT);
      assert.deepEqual(put.attributes['aws.dynamodb.table_names'], ['jobs']);
      assert.equal(put.attributes['rpc.service'], 'DynamoDB');
      const parent = parentOf(put);
      assert.equal(parent?.name, 'submit message');
      assert.equal(put.attributes['job.id'], parent?.attributes['job.id']);
    }
    // The batch's one cancel check is the batch's, under no message.
    const [check] = named('dynamodb BatchGetItem');
    assert.equal(check?.attributes['db.operation.batch.size'], 1);
    assert.equal(check?.parentSpanContext, undefined);
  });
});

describe('tracing: a batch writing its records together', () => {
  it("the transaction is the batch's span, under no message, with the jobs it wrote", async () => {
    const table = stubTable();
    const deps = testDeps({
      store: new DynamoDbJobStore(table, 'jobs'),
      reader: new DynamoDbJobQueries(table, 'jobs'),
    });
    const records = ['job-1', 'job-2'].map((jobId, i) => ({
      messageId: `m-${i}`,
      body: body(request({ jobId })),
    }));
    const result = await runBatch(deps, records, { concurrency: 2, deadline: far() });
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(named('dynamodb PutItem').length, 0);
    const [transaction, ...more] = named('dynamodb TransactWriteItems');
    assert.equal(more.length, 0);
    assert.equal(transaction?.parentSpanContext, undefined);
    assert.deepEqual(transaction?.attributes['job.ids'], ['job-1', 'job-2']);
    assert.equal(transaction?.attributes['db.operation.batch.size'], 2);
  });
});

describe('tracing: adapters', () => {
  let server: Server;
  let answers: number[] = [];
  before(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => {
        text += chunk;
      });
      req.on('end', () => {
        res.statusCode = answers.shift() ?? 201;
        res.setHeader('content-type', 'application/json');
        res.end(res.statusCode < 300 ? text : JSON.stringify({ kind: 'Status', code: res.statusCode }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('a Kubernetes call is one span, its retries events, with the namespace, name and job id', async () => {
    const kc = new KubeConfig();
    const { port } = server.address() as AddressInfo;
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    answers = [503];
    const kube = new KubeClient(kc, { sleep: async () => {} });
    await kube.createJob(job('job-a', {}, { jobId: 'the-job' }));
    const [span, ...more] = named('kubernetes createJob');
    assert.equal(more.length, 0);
    assert.equal(span?.kind, SpanKind.CLIENT);
    assert.deepEqual(
      [span?.attributes['job.id'], span?.attributes['k8s.namespace.name'], span?.attributes['k8s.job.name']],
      ['the-job', 'jobs', 'job-a'],
    );
    assert.deepEqual(
      span?.events.map((e) => e.name),
      ['retry'],
    );
    assert.equal(span?.status.code, SpanStatusCode.UNSET);
  });

  it('PutEvents is one span per batch of 10 with its job ids, failed when entries keep failing', async () => {
    let fail = false;
    const client = {
      async send(command: PutEventsCommand) {
        const entries = command.input.Entries ?? [];
        return {
          Entries: entries.map(() => (fail ? { ErrorCode: 'ThrottlingException' } : { EventId: 'e' })),
        };
      },
    } as unknown as EventBridgeClient;
    const publisher = new EventBridgePublisher(client, 'bus');
    const events = Array.from({ length: 12 }, (_, i) =>
      stateChangeEvent(record('RUNNING', { jobId: `j${i}` })),
    );
    await publisher.publish(events);
    const spans = named('eventbridge PutEvents');
    assert.deepEqual(
      spans.map((s) => (s.attributes['job.ids'] as string[]).length),
      [10, 2],
    );
    assert.deepEqual(spans[1]?.attributes['job.ids'], ['j10', 'j11']);
    assert.equal(spans[0]?.attributes['rpc.service'], 'EventBridge');

    exporter.reset();
    fail = true;
    await publisher.publish(events.slice(0, 1));
    assert.equal(named('eventbridge PutEvents')[0]?.status.code, SpanStatusCode.ERROR);
  });
});

describe('tracing: reconcile', () => {
  it('one span per job it writes, with the job id and what was written', async () => {
    const kube = new FakeKube();
    const store = new MemoryStore();
    for (const name of ['job-0', 'job-1']) {
      kube.add(job(name, { active: 1, ready: 1 }));
      store.items.set(`id-${name}`, record('SUBMITTED', { jobId: `id-${name}`, jobName: name }));
    }
    await reconcile({ kube, store, reader: store }, { namespaces: ['jobs'], windowMs: 0 });
    const spans = named('reconcile job');
    assert.deepEqual(spans.map((s) => s.attributes['job.id']).sort(), ['id-job-0', 'id-job-1']);
    for (const span of spans) {
      assert.equal(span.attributes['reconcile.written'], 'RUNNING');
      assert.equal(span.attributes['k8s.namespace.name'], 'jobs');
    }
  });
});
