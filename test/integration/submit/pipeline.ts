// The whole submit path on the local stack: a queue of our own (so nothing else consumes it),
// the bundles built as deployed, and the local Lambda runtime (infra/local/runtime) polling it.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { buildBundle } from '../../../infra/build-bundle.ts';
import { FUNCTIONS, functionEntry } from '../../../infra/bundling.ts';
import { EXAMPLE_POLICY_FILE, repoRoot, stack } from './support.ts';

/** The stack's SQS (ElasticMQ): the pipeline's queues, which the runtime polls. */
export const sqs = new SQSClient({
  endpoint: stack.aws.sqsEndpoint,
  region: stack.aws.region,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});

export interface Queues {
  url: string;
  dlqUrl: string;
  delete(): Promise<void>;
}

export async function createQueues(
  prefix: string,
  { visibilityTimeoutSeconds = 5, maxReceiveCount = 10 } = {},
): Promise<Queues> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqUrl = dlq.QueueUrl as string;
  const arn = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn.Attributes?.QueueArn, maxReceiveCount }),
      },
    }),
  );
  const url = queue.QueueUrl as string;
  return {
    url,
    dlqUrl,
    delete: async () => {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => {});
      await sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl })).catch(() => {});
    },
  };
}

/** Sends the bodies in batches of 10, `parallel` batches at a time; `onSent` after each, with its size. */
export async function sendAll(
  queueUrl: string,
  bodies: string[],
  parallel = 8,
  onSent?: (count: number) => void,
): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as string[];
      const out = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((MessageBody, i) => ({ Id: String(i), MessageBody })),
        }),
      );
      if (out.Failed?.length) throw new Error(`send failed: ${JSON.stringify(out.Failed)}`);
      onSent?.(batch.length);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

export async function queueDepth(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** Builds both bundles with the deployed esbuild settings into a directory of their own. */
export async function buildBundles(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'submit-bundles-'));
  for (const name of FUNCTIONS) {
    await buildBundle(join(repoRoot, functionEntry(name)), join(dir, name, 'index.mjs'));
  }
  return dir;
}

export interface Runtime {
  process: ChildProcess;
  /** The runtime's stderr lines (JSON): invocations, errors. */
  lines: string[];
  /** The functions' log lines (stdout), when started with `stdout: true`; else empty. */
  stdout: string[];
  stop(): Promise<void>;
}

/**
 * Starts infra/local/runtime/main.ts on our queue: a copy of stack.json whose queue is ours,
 * reconcile scheduled out of the way, the example policy in the environment.
 */
export function startRuntime(
  queues: Queues,
  distDir: string,
  options: {
    batchSize?: number;
    concurrency?: number;
    env?: Record<string, string>;
    /** More flags, after (and so over) the defaults: e.g. `--functions`, a schedule. */
    args?: string[];
    /**
     * The one AWS endpoint the runtime and its functions call for every service, SQS included (a
     * recording proxy that forwards SQS to the stack's SQS, the rest to moto), if not the stack's.
     */
    endpoint?: string;
    /** Keep the functions' stdout (their Powertools log lines) in `stdout`. */
    stdout?: boolean;
  } = {},
): Runtime {
  const stackDir = mkdtempSync(join(tmpdir(), 'submit-stack-'));
  mkdirSync(stackDir, { recursive: true });
  const aws = { ...stack.aws, queueUrl: queues.url, dlqUrl: queues.dlqUrl };
  if (options.endpoint) Object.assign(aws, { endpoint: options.endpoint, sqsEndpoint: options.endpoint });
  writeFileSync(join(stackDir, 'stack.json'), JSON.stringify({ ...stack, aws }));
  const child = spawn(
    join(repoRoot, 'node_modules/.bin/node'),
    [
      join(repoRoot, 'infra/local/runtime/main.ts'),
      '--batch-size',
      String(options.batchSize ?? 10),
      '--batching-window',
      '0',
      '--concurrency',
      String(options.concurrency ?? 4),
      '--schedule-period',
      '86400',
      '--first-firing',
      'after-one-period',
      '--dist',
      distDir,
      ...(options.args ?? []),
    ],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        EJR_STACK_DIR: stackDir,
        JOB_POLICY_FILE: EXAMPLE_POLICY_FILE,
        POWERTOOLS_LOG_LEVEL: 'ERROR',
        POWERTOOLS_METRICS_DISABLED: 'true',
        ...options.env,
      },
      stdio: ['ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'],
    },
  );
  const lines = linesOf(child.stderr);
  const stdout = linesOf(child.stdout);
  return {
    process: child,
    lines,
    stdout,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function linesOf(stream: NodeJS.ReadableStream | null): string[] {
  const lines: string[] = [];
  let rest = '';
  stream?.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString('utf8');
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  return lines;
}

/** Runs infra/local/stack-ctl.sh in its own process group, so the restarted server outlives this process. */
export function stackCtl(action: 'stop' | 'start', name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(repoRoot, 'infra/local/stack-ctl.sh'), action, name], {
      cwd: repoRoot,
      detached: true,
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`stack-ctl ${action} ${name} exited ${code}`)),
    );
  });
}
