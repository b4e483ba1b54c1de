// The parts of the fault suite: the local runtime as a child process, requests sent to the jobs
// queue, a count of every Job the apiserver ever created, the records, and the events on the bus.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { KubeConfig, type V1Job, Watch } from '@kubernetes/client-node';
import { DUMMY_CREDENTIALS, localAwsConfig } from '../../infra/local/aws/client-config.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { DynamoDbJobQueries } from '../../shared/adapters/dynamodb/job-queries.ts';
import { EVENT_SOURCE, STATE_CHANGE_DETAIL_TYPE } from '../../shared/core/job/events.ts';
import { LABELS } from '../../shared/core/job/labels.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import { tapQueueClient } from '../support/bus-tap.ts';
import { loadLocalStack } from '../support/local-stack.ts';

export const repoRoot = join(import.meta.dirname, '../..');
export const stack = loadLocalStack();
export function log(message: string): void {
  process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const aws = localAwsConfig(stack.aws.endpoint, stack.aws.region);
// moto takes any credentials; never let a developer's real ones be picked up.
process.env.AWS_ACCESS_KEY_ID = DUMMY_CREDENTIALS.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = DUMMY_CREDENTIALS.secretAccessKey;
// The jobs queue is on the stack's SQS (ElasticMQ); the event tap's queue on moto's (bus-tap.ts).
const sqs = new SQSClient(localAwsConfig(stack.aws.sqsEndpoint, stack.aws.region));
const tapSqs = tapQueueClient(stack);
export const queries = new DynamoDbJobQueries(
  createDocumentClient({ endpoint: stack.aws.endpoint, region: stack.aws.region }),
  stack.aws.tableName,
);

/** A request the example policy accepts; kwok runs its pod as the annotations say. */
export function request(
  jobId: string,
  owner: string,
  extra: { ttl?: number; exitCode?: number; duration?: string } = {},
) {
  return {
    jobId,
    owner,
    image: 'public.ecr.aws/docker/library/busybox:1.36',
    command: ['sh', '-c', 'true'],
    resources: { cpu: '10m', memory: '16Mi' },
    ttlSecondsAfterFinished: extra.ttl ?? 3600,
    podAnnotations: {
      'outcome.local/duration': extra.duration ?? '1s',
      'outcome.local/exit-code': String(extra.exitCode ?? 0),
      'outcome.local/message': `exit ${extra.exitCode ?? 0}`,
    },
  };
}

/** Sends every body `copies` times (a duplicate storm when copies > 1), 10 a call. */
export async function send(bodies: object[], copies = 1): Promise<void> {
  const all = bodies.flatMap((body) => Array.from({ length: copies }, () => JSON.stringify(body)));
  for (let i = 0; i < all.length; i += 10) {
    const entries = all.slice(i, i + 10).map((body) => ({ Id: randomUUID(), MessageBody: body }));
    const out = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: stack.aws.queueUrl, Entries: entries }),
    );
    if ((out.Failed ?? []).length > 0) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
  }
}

/** The local runtime (both functions) as its own process, as Lambda would host them. */
export class Runtime {
  readonly name: string;
  private child?: ChildProcess;
  /** Exits we did not ask for, and unhandled rejections in its log. */
  crashes = 0;
  private stopping = false;
  private readonly logFile: string;

  constructor(name: string) {
    this.name = name;
    this.logFile = join(stack.dir, 'logs', `faults-${name}.log`);
  }

  start(args: string[] = []): void {
    this.stopping = false;
    const out = createWriteStream(this.logFile, { flags: 'a' });
    const node = join(repoRoot, 'node_modules/.bin/node');
    const child = spawn(node, ['infra/local/runtime/main.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, JOB_POLICY_FILE: join(repoRoot, 'docs/examples/policy.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    child.on('exit', (code, signal) => {
      if (this.child === child && !this.stopping) {
        this.crashes++;
        log(`${this.name} exited by itself (code ${code}, signal ${signal})`);
      }
    });
    this.child = child;
  }

  /** SIGKILL: the function's process dies mid-batch. */
  kill(): void {
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.stopping = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, delay(40_000)]);
    child.kill('SIGKILL');
    this.child = undefined;
  }

  /** Unhandled rejections the process logged (it keeps running only if something caught them). */
  unhandled(): number {
    const text = readFileSync(this.logFile, 'utf8');
    return (text.match(/unhandled ?rejection|UnhandledPromiseRejection/gi) ?? []).length;
  }
}

/** Every Job the apiserver created with a managed label, by name: a second uid is a duplicate. */
export class JobCensus {
  readonly uids = new Map<string, Set<string>>();
  private controller?: AbortController;
  private stopped = false;

  async start(prefix: string): Promise<void> {
    const kc = new KubeConfig();
    kc.loadFromFile(stack.adminKubeconfig);
    const watch = new Watch(kc);
    const loop = async (): Promise<void> => {
      while (!this.stopped) {
        await new Promise<void>((resolve) => {
          watch
            .watch(
              `/apis/batch/v1/namespaces/${stack.jobsNamespaces[0]}/jobs`,
              { labelSelector: LABELS.managedBy },
              (type: string, job: V1Job) => {
                const name = job.metadata?.name ?? '';
                if (type === 'ADDED' && name.startsWith(prefix)) {
                  const set = this.uids.get(name) ?? new Set();
                  set.add(job.metadata?.uid ?? '');
                  this.uids.set(name, set);
                }
              },
              () => resolve(),
            )
            .then(
              (c) => {
                this.controller = c;
              },
              () => resolve(),
            );
        });
        if (!this.stopped) await delay(500); // the apiserver may be down: try again
      }
    };
    void loop();
    await delay(500);
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
  }

  get created(): number {
    return [...this.uids.values()].reduce((sum, set) => sum + set.size, 0);
  }

  get duplicated(): number {
    return [...this.uids.values()].reduce((sum, set) => sum + Math.max(0, set.size - 1), 0);
  }
}

/** Waits until every record is terminal (or the time is up); returns the records found. */
export async function recordsWhenTerminal(
  jobIds: string[],
  timeoutMs: number,
): Promise<Map<string, JobRecord>> {
  const end = Date.now() + timeoutMs;
  let records = new Map<string, JobRecord>();
  while (Date.now() < end) {
    records = await queries.getJobs(jobIds).catch((error: unknown) => {
      log(`reading the records failed: ${String(error)}`);
      return records;
    });
    const done = [...records.values()].filter((r) => isTerminal(r.state)).length;
    if (done === jobIds.length) return records;
    log(`${done}/${jobIds.length} terminal`);
    await delay(5000);
  }
  return records;
}

export function pidOf(server: string): number {
  const line = readFileSync(join(stack.dir, 'pids'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${server} `));
  return Number(line?.split(' ')[1]);
}

/** The "Job State Change" events of one owner, through a rule with an SQS target on the bus. */
export class EventTap {
  private readonly events = new EventBridgeClient(aws);
  private readonly name = `faults-tap-${randomUUID().slice(0, 8)}`;
  private queueUrl = '';
  /** Events received, by `detail.eventId` (one transition): more than one is a duplicate. */
  readonly byTransition = new Map<string, number>();
  /** The states each job's events announced. */
  readonly states = new Map<string, Set<string>>();

  async open(owner: string): Promise<void> {
    this.queueUrl = (await tapSqs.send(new CreateQueueCommand({ QueueName: this.name }))).QueueUrl ?? '';
    const arn = (
      await tapSqs.send(
        new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn;
    const pattern = {
      source: [EVENT_SOURCE],
      'detail-type': [STATE_CHANGE_DETAIL_TYPE],
      detail: { owner: [owner] },
    };
    const bus = stack.aws.eventBusName;
    await this.events.send(
      new PutRuleCommand({ Name: this.name, EventBusName: bus, EventPattern: JSON.stringify(pattern) }),
    );
    await this.events.send(
      new PutTargetsCommand({ Rule: this.name, EventBusName: bus, Targets: [{ Id: 'tap', Arn: arn }] }),
    );
  }

  async drain(): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      const out = await tapSqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const messages = out.Messages ?? [];
      if (messages.length === 0) return;
      for (const m of messages) {
        const { detail } = JSON.parse(m.Body ?? '{}') as {
          detail: { eventId: string; jobId: string; state: string };
        };
        this.byTransition.set(detail.eventId, (this.byTransition.get(detail.eventId) ?? 0) + 1);
        this.states.set(detail.jobId, (this.states.get(detail.jobId) ?? new Set()).add(detail.state));
      }
      await tapSqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
  }

  /** The transitions of one job that arrived at least once, and the extra copies. */
  of(jobId: string): { received: number; duplicates: number } {
    let received = 0;
    let duplicates = 0;
    for (const [key, count] of this.byTransition) {
      if (!key.startsWith(`${jobId}#`)) continue;
      received++;
      duplicates += count - 1;
    }
    return { received, duplicates };
  }

  async close(): Promise<void> {
    const bus = stack.aws.eventBusName;
    await this.events
      .send(new RemoveTargetsCommand({ Rule: this.name, EventBusName: bus, Ids: ['tap'] }))
      .catch(() => {});
    await this.events.send(new DeleteRuleCommand({ Name: this.name, EventBusName: bus })).catch(() => {});
    await tapSqs.send(new DeleteQueueCommand({ QueueUrl: this.queueUrl })).catch(() => {});
  }
}
