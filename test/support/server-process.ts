import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freeLoopbackPort } from './ports.ts';

/** A server a test process started on a loopback port of its own (moto, ElasticMQ). */
export interface StartedServer {
  endpoint: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export interface ServerSpec {
  /** For messages and the log file's name. */
  name: string;
  /** The command line serving `port`; `dir` is the server's own directory (config, log). */
  command(port: number, dir: string): string[];
  /** Whether the server at `endpoint` answers yet. */
  answers(endpoint: string): Promise<boolean>;
  startTimeoutMs?: number;
}

/**
 * Starts the server on a free loopback port and waits until it answers. A port taken between
 * probing and binding (another process won the race) is retried on a new port.
 */
export async function startServer(spec: ServerSpec): Promise<StartedServer> {
  const dir = mkdtempSync(join(tmpdir(), `${spec.name}-`));
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freeLoopbackPort();
    const logFile = join(dir, `${spec.name}-${port}.log`);
    const child = spawnLogged(spec.command(port, dir), logFile);
    const endpoint = `http://127.0.0.1:${port}`;
    try {
      await waitUntilAnswering(spec, endpoint, child);
      const stop = async () => {
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      };
      return { endpoint, pid: child.pid, stop };
    } catch (error) {
      lastError = new Error(`${spec.name} on port ${port} did not start: ${tail(logFile)}`, { cause: error });
      await stopChild(child);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

function spawnLogged([binary, ...args]: string[], logFile: string): ChildProcess {
  if (!binary) throw new Error('an empty command line');
  const log = openSync(logFile, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  // Should a test crash before its `after`, the server must not outlive this process.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return child;
}

async function waitUntilAnswering(spec: ServerSpec, endpoint: string, child: ChildProcess): Promise<void> {
  const timeoutMs = spec.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${spec.name} exited`);
    if (await spec.answers(endpoint)) return;
    await delay(100);
  }
  throw new Error(`no answer within ${timeoutMs} ms`);
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

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2_000);
  } catch {
    return '(no log)';
  }
}
