// The adapters' action tables (shared/adapters/*/iam.ts) against the calls the adapters really
// send: every method runs against a real SDK client whose requests stop at a middleware that
// records the operation and answers, and the IAM actions of what it sent must be exactly the
// ones its table declares. CDK grants from those tables, so an undeclared call is a missing grant.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Grant } from '../../../shared/adapters/action-table.ts';
import { DynamoDbAdmissionStore } from '../../../shared/adapters/dynamodb/admission-store.ts';
import { DynamoDbJobQueries } from '../../../shared/adapters/dynamodb/job-queries.ts';
import { DynamoDbJobStore } from '../../../shared/adapters/dynamodb/job-store.ts';
import { EventBridgePublisher } from '../../../shared/adapters/eventbridge/publisher.ts';
import { ADAPTER_ACTIONS, type AdapterName } from '../../../shared/adapters/iam.ts';
import * as eksAuth from '../../../shared/adapters/kubernetes/eks-auth.ts';
import { stateChangeEvent } from '../../../shared/core/job/events.ts';
import type { JobReader } from '../../../shared/core/ports.ts';
import { record } from '../core/reconcile/fixtures.ts';

const TABLE = 'jobs';
/** The IAM service of each SDK client: IAM names these services' actions after their operations. */
const SERVICE: Record<string, string> = {
  DynamoDBClient: 'dynamodb',
  EventBridgeClient: 'events',
  EKSClient: 'eks',
};
const clientConfig = { region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

/** How a scenario's fake AWS answers: `conflict` fails every conditional PutItem. */
interface Answers {
  conflict?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: the inputs of every command the adapters send
type Input = Record<string, any>;

/** A canned answer per operation, in the document client's (unmarshalled) shape. */
function answer(operation: string, input: Input, answers: Answers): Record<string, unknown> {
  const item = (jobId: string) => record('RUNNING', { jobId });
  switch (operation) {
    case 'PutItem':
      if (answers.conflict) throw new ConditionalCheckFailedException({ message: 'conflict', $metadata: {} });
      return {};
    case 'TransactWriteItems':
      if (answers.conflict)
        throw new TransactionCanceledException({
          message: 'cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
        });
      return {};
    case 'GetItem':
      return { Item: item(input.Key.jobId) };
    case 'BatchGetItem': {
      const keys = input.RequestItems[TABLE].Keys as { jobId: string }[];
      return { Responses: { [TABLE]: keys.map((key) => item(key.jobId)) }, UnprocessedKeys: {} };
    }
    case 'Query':
      return { Items: [item('from-query')] };
    case 'PutEvents':
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e-1' })) };
    case 'DescribeCluster':
      return { cluster: { endpoint: 'https://127.0.0.1:6443', certificateAuthority: { data: 'Y2E=' } } };
    default:
      throw new Error(`no canned answer for ${operation}`);
  }
}

/** The actions a client sent, as IAM names them; its requests never leave the process. */
function recording<C extends DynamoDBClient | EventBridgeClient | EKSClient>(client: C, answers: Answers) {
  const sent = new Set<Grant>();
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (_next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      const service = SERVICE[String(context.clientName)];
      assert.ok(service, `no IAM service known for ${context.clientName}`);
      // A Query is granted on the one index it names (the `@part` of a grant).
      const index = (args.input as Input).IndexName;
      if (operation === 'TransactWriteItems') {
        // IAM authorizes a transaction as its items' actions.
        for (const item of (args.input as Input).TransactItems as Input[])
          for (const kind of Object.keys(item))
            sent.add(`${service}:${kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`}`);
      } else sent.add(index ? `${service}:${operation}@index/${index}` : `${service}:${operation}`);
      return { output: { ...answer(operation, args.input as Input, answers), $metadata: {} }, response: {} };
    },
    { step: 'initialize', priority: 'high', name: 'recordIamAction' },
  );
  return { client, sent };
}

const drain = async (items: AsyncIterable<unknown>) => {
  for await (const _ of items);
};

/** One way to call a method: the call, and how the fake AWS answers it. */
interface Scenario<T> {
  answers?: Answers;
  call: (adapter: T) => Promise<unknown>;
}
type Scenarios<A extends AdapterName, T> = {
  [M in keyof (typeof ADAPTER_ACTIONS)[A]]: Scenario<T>[];
};

function documentClient(answers: Answers) {
  const { client, sent } = recording(new DynamoDBClient(clientConfig), answers);
  return { client: DynamoDBDocumentClient.from(client), sent };
}

const store = (answers: Answers) => {
  const { client, sent } = documentClient(answers);
  return { adapter: new DynamoDbJobStore(client, TABLE), sent };
};
const storeScenarios: Scenarios<'DynamoDbJobStore', DynamoDbJobStore> = {
  create: [
    { call: (s) => s.create(record('SUBMITTED')) },
    { answers: { conflict: true }, call: (s) => s.create(record('SUBMITTED')) },
  ],
  createAll: [
    { call: (s) => s.createAll(['job-1', 'job-2'].map((jobId) => record('SUBMITTED', { jobId }))) },
    // Cancelled: the item that failed its condition is read, the other is put alone.
    {
      answers: { conflict: true },
      call: (s) => s.createAll(['job-1', 'job-2'].map((jobId) => record('SUBMITTED', { jobId }))),
    },
  ],
  get: [{ call: (s) => s.get('job-1') }],
  replace: [
    { call: (s) => s.replace(record('RUNNING')) },
    { answers: { conflict: true }, call: (s) => s.replace(record('RUNNING')) },
    // A replace that gives an admitted job's quota back.
    { call: (s) => s.replace(releasing()) },
  ],
};

const ADMISSION = {
  charge: { jobs: 1, cpu: 500, memory: 2 ** 28, gpu: 0 },
  scopes: ['owner#team-a' as const],
  priority: 0,
  queuedAt: '2026-01-01T00:00:00.000Z',
};
function releasing() {
  const r = record('SUCCEEDED');
  return { ...r, admission: { ...ADMISSION, releasedAtVersion: r.version } };
}
function admitted() {
  const r = record('PENDING');
  return { ...r, admission: { ...ADMISSION, heldAtVersion: r.version } };
}

const admissionStore = (answers: Answers) => {
  const { client, sent } = documentClient(answers);
  return { adapter: new DynamoDbAdmissionStore(client, TABLE), sent };
};
const admissionScenarios: Scenarios<'DynamoDbAdmissionStore', DynamoDbAdmissionStore> = {
  admit: [
    { call: (a) => a.admit(admitted(), new Map([['owner#team-a', { jobs: 2 }]])) },
    { answers: { conflict: true }, call: (a) => a.admit(admitted(), new Map()) },
  ],
  admitAll: [{ call: (a) => a.admitAll([admitted(), admitted()], new Map([['owner#team-a', { jobs: 2 }]])) }],
  usage: [{ call: (a) => a.usage(['owner#team-a']) }],
};

// getStates is on the JobReader port; the intersection lets the scenario call it on the adapter.
type Queries = DynamoDbJobQueries & Pick<JobReader, 'getStates'>;
const queries = (answers: Answers) => {
  const { client, sent } = documentClient(answers);
  return { adapter: new DynamoDbJobQueries(client, TABLE) as Queries, sent };
};
const queryScenarios: Scenarios<'DynamoDbJobQueries', Queries> = {
  getJob: [{ call: (q) => q.getJob('job-1') }],
  getJobs: [{ call: (q) => q.getJobs(['job-1', 'job-2']) }],
  getStates: [{ call: (q) => q.getStates(['job-1', 'job-2']) }],
  listByOwner: [{ call: (q) => q.listByOwner('team-a') }],
  listByState: [{ call: (q) => q.listByState('RUNNING') }],
  scanState: [{ call: (q) => drain(q.scanState('RUNNING')) }],
  scanQueue: [{ call: (q) => drain(q.scanQueue()) }],
  scanActive: [{ call: (q) => drain(q.scanActive()) }],
};

const publisher = (answers: Answers) => {
  const { client, sent } = recording(new EventBridgeClient(clientConfig), answers);
  return { adapter: new EventBridgePublisher(client, 'bus-1'), sent };
};
const publisherScenarios: Scenarios<'EventBridgePublisher', EventBridgePublisher> = {
  publish: [{ call: (p) => p.publish([stateChangeEvent(record('RUNNING'))]) }],
};

// eks-auth.ts is a module of functions: the "adapter" is the module, with the client to pass.
type EksAuth = typeof eksAuth & { client: EKSClient };
const eks = (answers: Answers) => {
  const { client, sent } = recording(new EKSClient(clientConfig), answers);
  return { adapter: { ...eksAuth, client } as EksAuth, sent };
};
let clusters = 0;
const eksScenarios: Scenarios<'EksAuth', EksAuth> = {
  // A new cluster name each time: describeCluster caches its answer per cluster.
  describeCluster: [{ call: (e) => e.describeCluster(e.client, `cluster-${++clusters}`) }],
};

function checkAdapter<A extends AdapterName, T>(
  name: A,
  make: (answers: Answers) => { adapter: T; sent: Set<Grant> },
  scenarios: Scenarios<A, T>,
): void {
  describe(name, () => {
    const table = ADAPTER_ACTIONS[name] as Record<string, readonly Grant[]>;
    test('has a scenario for every method its action table declares, and no other', () => {
      assert.deepEqual(Object.keys(scenarios).sort(), Object.keys(table).sort());
    });
    for (const [method, declared] of Object.entries(table)) {
      const missing = typeof (make({}).adapter as Record<string, unknown>)[method] !== 'function';
      test(`${method} sends exactly the actions it declares: ${declared.join(', ')}`, async () => {
        assert.ok(!missing, `${name}.${method} is declared but the adapter has no such method`);
        const sent = new Set<Grant>();
        for (const scenario of (scenarios as Record<string, Scenario<T>[]>)[method] ?? []) {
          const { adapter, sent: sentHere } = make(scenario.answers ?? {});
          await scenario.call(adapter);
          for (const action of sentHere) sent.add(action);
        }
        const undeclared = [...sent].filter((action) => !declared.includes(action));
        const unsent = declared.filter((action) => !sent.has(action));
        assert.deepEqual(undeclared, [], `${name}.${method} calls actions its table does not declare`);
        assert.deepEqual(unsent, [], `${name}.${method} declares actions no scenario of it calls`);
      });
    }
  });
}

describe('adapter action tables: what each method sends is what it declares', () => {
  checkAdapter('DynamoDbJobStore', store, storeScenarios);
  checkAdapter('DynamoDbJobQueries', queries, queryScenarios);
  checkAdapter('DynamoDbAdmissionStore', admissionStore, admissionScenarios);
  checkAdapter('EventBridgePublisher', publisher, publisherScenarios);
  checkAdapter('EksAuth', eks, eksScenarios);
});
