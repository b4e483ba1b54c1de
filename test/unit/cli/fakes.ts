// In-memory stand-ins for what an ejr command reaches: the jobs table's reads, SQS, the clock and
// the terminal. `runEjr` runs a command line through the real program with them.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { Deps } from '../../../cli/context.ts';
import { run } from '../../../cli/program.ts';
import type { Connect, JobQueries, Resource, SqsSender, TargetOptions } from '../../../cli/target.ts';
import type { JobRecord } from '../../../shared/core/job/record.ts';
import type { JobState } from '../../../shared/core/job/state.ts';

export function record(jobId: string, state: JobState, extra: Partial<JobRecord> = {}): JobRecord {
  const at = '2026-11-22T10:00:00.000Z';
  return {
    jobId,
    owner: 'team-a',
    state,
    createdAt: at,
    updatedAt: at,
    version: 1,
    history: [{ state: 'SUBMITTED', at }],
    statusShard: `${state}#0`,
    ...extra,
  };
}

/** The reads of the jobs table; `sequence` makes getJob answer a new record each call (a job moving on). */
export class FakeJobs implements JobQueries {
  readonly calls: string[] = [];
  readonly records: JobRecord[];
  readonly sequence: Record<string, (JobRecord | undefined)[]>;

  constructor(records: JobRecord[] = [], sequence: Record<string, (JobRecord | undefined)[]> = {}) {
    this.records = records;
    this.sequence = sequence;
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    this.calls.push(`getJob ${jobId}`);
    const next = this.sequence[jobId];
    if (next && next.length > 0) return next.length === 1 ? next[0] : next.shift();
    return this.records.find((r) => r.jobId === jobId);
  }

  async listByOwner(owner: string, options: { limit?: number; cursor?: string } = {}) {
    this.calls.push(`listByOwner ${owner} ${options.limit} ${options.cursor ?? '-'}`);
    const mine = this.records.filter((r) => r.owner === owner);
    const start = options.cursor ? Number(options.cursor) : 0;
    const end = start + (options.limit ?? 50);
    return { items: mine.slice(start, end), cursor: end < mine.length ? String(end) : undefined };
  }

  async listByState(state: JobState, options: { limit?: number } = {}) {
    this.calls.push(`listByState ${state} ${options.limit}`);
    return this.records.filter((r) => r.state === state).slice(0, options.limit ?? 50);
  }
}

/** The SQS calls ejr makes, against two queues in memory. */
export class FakeSqs {
  readonly sent: { queueUrl: string; body: string }[] = [];
  readonly visibilityChanges: number[] = [];
  moveTask: 'ok' | 'unsupported' = 'ok';
  readonly moveTasks: { source?: string; destination?: string }[] = [];
  private nextId = 0;
  private readonly hidden = new Set<string>();
  readonly dlq: Message[];

  constructor(dlq: Message[] = []) {
    this.dlq = dlq;
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof SendMessageCommand) {
      const { QueueUrl, MessageBody } = command.input;
      this.sent.push({ queueUrl: QueueUrl as string, body: MessageBody as string });
      return { MessageId: `m-${++this.nextId}` };
    }
    if (command instanceof GetQueueAttributesCommand) {
      const url = command.input.QueueUrl as string;
      return { Attributes: { QueueArn: `arn:${url}`, ApproximateNumberOfMessages: String(this.dlq.length) } };
    }
    if (command instanceof ReceiveMessageCommand) {
      const max = command.input.MaxNumberOfMessages ?? 1;
      // as SQS: a received message is invisible until its visibility is changed back or it is deleted
      const visible = this.dlq.filter((m) => !this.hidden.has(m.MessageId as string)).slice(0, max);
      for (const m of visible) this.hidden.add(m.MessageId as string);
      return { Messages: visible.map((m) => ({ ...m, ReceiptHandle: `rh-${m.MessageId}` })) };
    }
    if (command instanceof ChangeMessageVisibilityBatchCommand) {
      for (const e of command.input.Entries ?? []) {
        this.visibilityChanges.push(e.VisibilityTimeout ?? -1);
        this.hidden.delete((e.ReceiptHandle as string).slice(3));
      }
      return {};
    }
    if (command instanceof SendMessageBatchCommand) {
      const entries = command.input.Entries ?? [];
      for (const e of entries)
        this.sent.push({ queueUrl: command.input.QueueUrl as string, body: e.MessageBody as string });
      return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
    }
    if (command instanceof DeleteMessageBatchCommand) {
      const gone = new Set((command.input.Entries ?? []).map((e) => (e.ReceiptHandle as string).slice(3)));
      this.dlq.splice(0, this.dlq.length, ...this.dlq.filter((m) => !gone.has(m.MessageId as string)));
      return {};
    }
    if (command instanceof StartMessageMoveTaskCommand) {
      if (this.moveTask === 'unsupported')
        throw Object.assign(new SyntaxError('Unexpected token <'), { $metadata: { httpStatusCode: 500 } });
      this.moveTasks.push({ source: command.input.SourceArn, destination: command.input.DestinationArn });
      return { TaskHandle: 'task-1' };
    }
    throw new Error(`FakeSqs: no ${(command as object).constructor.name}`);
  }
}

export interface Ran {
  code: number;
  out: string;
  err: string;
  /** The target options each command connected with, and what it needed. */
  connections: { options: TargetOptions; needs: readonly Resource[] }[];
  sqs: FakeSqs;
  jobs: FakeJobs;
}

export interface RunOptions {
  jobs?: FakeJobs;
  /** The usage counters `ejr usage` reads, by scope. */
  usage?: Record<string, Record<string, unknown>>;
  sqs?: FakeSqs;
  files?: Record<string, string>;
  errIsTTY?: boolean;
  whoami?: string;
  /** Milliseconds each sleep moves the clock on. */
  tick?: number;
}

/** Runs `ejr ARGS...` with fakes: no AWS, no cluster, a clock that moves only when slept on. */
export async function runEjr(args: string[], options: RunOptions = {}): Promise<Ran> {
  let out = '';
  let err = '';
  let clock = 1_000_000;
  let ids = 0;
  const jobs = options.jobs ?? new FakeJobs();
  const sqs = options.sqs ?? new FakeSqs();
  const connections: Ran['connections'] = [];
  const deps: Deps = {
    io: {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
      errIsTTY: options.errIsTTY ?? false,
      readText: (path) => {
        const text = options.files?.[path];
        if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
        return text;
      },
    },
    connect:
      (targetOptions): Connect =>
      async (needs) => {
        connections.push({ options: targetOptions, needs });
        return {
          where: 'the fake stack',
          jobs,
          usage: {
            usage: async (scopes: string[]) =>
              new Map(scopes.flatMap((s) => (options.usage?.[s] ? [[s, options.usage[s]]] : []))),
          },
          sqs: sqs as unknown as SqsSender,
          whoami: async () => options.whoami ?? 'arn:aws:iam::123456789012:user/alice',
          kubeConfig: () => {
            throw new Error('no cluster in unit tests');
          },
          queueUrl: 'https://sqs/jobs',
          dlqUrl: 'https://sqs/jobs-dlq',
          tableName: 'jobs',
        } as unknown as Awaited<ReturnType<Connect>>;
      },
    now: () => clock,
    sleep: async (ms) => {
      clock += options.tick ?? ms;
    },
    newJobId: () => `generated-${++ids}`,
  };
  const code = await run(args, deps);
  return { code, out, err, connections, sqs, jobs };
}
