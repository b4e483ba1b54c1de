import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { loadLocalStack } from './local-stack.ts';

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

/**
 * Starts `moto_server` on a free loopback port and waits until it answers. A port taken
 * between probing and binding (another process won the race) is retried on a new port.
 */
export async function startMoto(options: { startTimeoutMs?: number } = {}): Promise<MotoServer> {
  const binary = motoServerBinary();
  const logDir = mkdtempSync(join(tmpdir(), 'moto-'));
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freeLoopbackPort();
    const logFile = join(logDir, `moto-${port}.log`);
    const child = spawnMoto(binary, port, logFile);
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitUntilAnswering(endpoint, child, options.startTimeoutMs ?? 30_000);
      const stop = async () => {
        await stopChild(child);
        rmSync(logDir, { recursive: true, force: true });
      };
      return { endpoint, region: REGION, pid: child.pid, stop };
    } catch (error) {
      lastError = new Error(`moto_server on port ${port} did not start: ${tail(logFile)}`, { cause: error });
      await stopChild(child);
    }
  }
  rmSync(logDir, { recursive: true, force: true });
  throw lastError;
}

function spawnMoto(binary: string, port: number, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  const child = spawn(binary, [MOTO_SERVER, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  // Should a test crash before its `after`, the server must not outlive this process.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return child;
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('moto_server exited');
    if (await answers(endpoint)) return;
    await delay(100);
  }
  throw new Error(`no answer within ${timeoutMs} ms`);
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

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  // An unref'd timer: the grace period must not keep the test process alive by itself.
  await Promise.race([exited, delay(10_000, undefined, { ref: false })]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2_000);
  } catch {
    return '(no log)';
  }
}
