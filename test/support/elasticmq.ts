// SQS for the tests: the local stack's ElasticMQ when it is up, else one of the test's own.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { loadLocalStack } from './local-stack.ts';
import type { MotoServer } from './moto.ts';
import { startServer } from './server-process.ts';

/** An SQS endpoint (ElasticMQ); the same shape as a moto server, so helpers take either. */
export type SqsServer = MotoServer;

const repoRoot = resolve(import.meta.dirname, '../..');
const script = join(repoRoot, 'infra/local/elasticmq.sh');
const REGION = 'us-east-1';

/**
 * The local stack's SQS endpoint (stack.json's `aws.sqsEndpoint`) when it answers, else an
 * ElasticMQ of our own. Tests name their queues uniquely and delete them, so sharing is safe.
 */
export async function sqsForTests(): Promise<SqsServer> {
  const stack = stackSqsEndpoint();
  if (stack && (await answers(stack.endpoint))) {
    return { endpoint: stack.endpoint, region: stack.region, pid: undefined, stop: async () => {} };
  }
  return startElasticMq();
}

function stackSqsEndpoint(): { endpoint: string; region: string } | undefined {
  try {
    const { aws } = loadLocalStack();
    return { endpoint: aws.sqsEndpoint, region: aws.region };
  } catch {
    return undefined;
  }
}

/** Starts ElasticMQ (infra/local/elasticmq.sh: the stack's jars and config) on a free loopback port. */
export async function startElasticMq(options: { startTimeoutMs?: number } = {}): Promise<SqsServer> {
  // Fetched once into the machine's cache (Maven), as stack-up does.
  execFileSync('bash', [script, 'fetch'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60_000 });
  const server = await startServer({
    name: 'elasticmq',
    command: (port, dir) =>
      execFileSync('bash', [script, 'command', String(port), dir], { encoding: 'utf8' })
        .trim()
        .split('\n'),
    answers,
    startTimeoutMs: 60_000,
    ...options,
  });
  return { ...server, region: REGION };
}

/** A JSON-protocol ListQueues, as `elasticmq.sh healthy` asks (moto answers it as well). */
export async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
      body: '{}',
      signal: AbortSignal.timeout(2_000),
    });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
