import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { loadLocalStack } from './local-stack.ts';
import { startServer } from './server-process.ts';

/** A moto server the tests talk to: one this process started, or the local stack's. */
export interface MotoServer {
  endpoint: string;
  region: string;
  /** Set when this process started the server (and so must stop it). */
  pid: number | undefined;
  /** Stops the server if this process started it; a no-op for the stack's server. */
  stop(): Promise<void>;
}

const repoRoot = resolve(import.meta.dirname, '../..');
const REGION = 'us-east-1';

/**
 * The local stack's moto when the stack is up (stack.json present and its endpoint answers),
 * else a moto server of our own. Tests name their resources uniquely, so sharing is safe;
 * they should delete what they create, as the stack's server outlives them.
 */
export async function motoForTests(): Promise<MotoServer> {
  const stackAws = stackMotoEndpoint();
  if (stackAws && (await answers(stackAws.endpoint))) {
    return { endpoint: stackAws.endpoint, region: stackAws.region, pid: undefined, stop: async () => {} };
  }
  return startMoto();
}

function stackMotoEndpoint(): { endpoint: string; region: string } | undefined {
  try {
    const { aws } = loadLocalStack();
    return { endpoint: aws.endpoint, region: aws.region };
  } catch {
    return undefined;
  }
}

/** The venv's python, made on first use by infra/local/python-env.sh (pinned moto). */
export function motoServerBinary(): string {
  const bin = execFileSync('bash', [join(repoRoot, 'infra/local/python-env.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
  }).trim();
  return join(bin, 'python');
}

/** moto's server with DynamoDB's write isolation (infra/local/aws/moto_server.py). */
const MOTO_SERVER = join(repoRoot, 'infra/local/aws/moto_server.py');

/** Starts `moto_server` on a free loopback port and waits until it answers. */
export async function startMoto(options: { startTimeoutMs?: number } = {}): Promise<MotoServer> {
  const binary = motoServerBinary();
  const server = await startServer({
    name: 'moto',
    command: (port) => [binary, MOTO_SERVER, '-H', '127.0.0.1', '-p', String(port)],
    answers,
    ...options,
  });
  return { ...server, region: REGION };
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}
