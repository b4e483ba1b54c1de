// `logs --follow`: streams pods/log of a running job's pods with the caller's own cluster access,
// while the record says the job runs. The record's log tails stay the source once pods are gone.
import { PassThrough, type Readable } from 'node:stream';
import { CoreV1Api, type KubeConfig, Log, type V1Pod } from '@kubernetes/client-node';
import { JOB_NAME_LABEL } from '../shared/adapters/kubernetes/selectors.ts';
import type { JobRecord } from '../shared/core/job/record.ts';
import { isTerminal } from '../shared/core/job/state.ts';
import type { Io } from './context.ts';
import { CliError } from './exit-codes.ts';

export interface FollowDeps {
  kc: KubeConfig;
  read: () => Promise<JobRecord | undefined>;
  io: Io;
  sleep: (ms: number) => Promise<void>;
  intervalMs: number;
}

/** A pod whose container has started has a log to stream. */
const started = (pod: V1Pod): boolean => ['Running', 'Succeeded', 'Failed'].includes(pod.status?.phase ?? '');

/** Once the job is terminal, how long streams still open may take to drain. */
const DRAIN_MS = 5_000;

/** Streams every pod of the job as it starts; returns the last record read (terminal). */
export async function followLogs(first: JobRecord, deps: FollowDeps): Promise<JobRecord> {
  const { io } = deps;
  if (!first.namespace || !first.jobName) return first;
  const core = deps.kc.makeApiClient(CoreV1Api);
  const log = new Log(deps.kc);
  const streams = new Map<string, { done: Promise<void>; controller?: AbortController }>();
  const selector = `${JOB_NAME_LABEL}=${first.jobName}`;
  let record = first;
  let stopping = false;

  const stream = async (pod: V1Pod): Promise<void> => {
    const name = pod.metadata?.name ?? '';
    const container = pod.spec?.containers?.[0]?.name ?? 'job';
    const pass = new PassThrough();
    const done = new Promise<void>((resolve) => pass.once('close', resolve).once('end', resolve));
    const entry: { done: Promise<void>; controller?: AbortController } = { done };
    streams.set(name, entry);
    io.err(`==> ${name} <==\n`);
    pass.on('data', (chunk: Buffer) => io.out(chunk.toString('utf8')));
    // client-node pipes the response into `pass` and listens for no error on it: an aborted or
    // broken stream would be an uncaught exception. Ours ends the pod's output instead.
    pass.once('pipe', (source: Readable) =>
      source.once('error', (error) => {
        if (!stopping) io.err(`(the log stream of ${name} broke: ${firstLine(error)})\n`);
        pass.end();
      }),
    );
    try {
      entry.controller = await log.log(first.namespace as string, name, container, pass, { follow: true });
    } catch (error) {
      streams.delete(name); // tried again at the next poll (a container not ready yet)
      pass.destroy();
      if (isForbidden(error)) throw noAccess(error);
    }
  };

  for (;;) {
    let pods: V1Pod[];
    try {
      pods = (await core.listNamespacedPod({ namespace: first.namespace, labelSelector: selector })).items;
    } catch (error) {
      throw isForbidden(error)
        ? noAccess(error)
        : new CliError(`cannot reach the cluster: ${firstLine(error)}`);
    }
    for (const pod of pods.filter(started)) if (!streams.has(pod.metadata?.name ?? '')) await stream(pod);
    record = (await deps.read()) ?? record;
    if (isTerminal(record.state)) break;
    await deps.sleep(deps.intervalMs);
  }
  const drained = Promise.all([...streams.values()].map((s) => s.done));
  await Promise.race([drained, deps.sleep(DRAIN_MS)]);
  stopping = true;
  for (const s of streams.values()) s.controller?.abort();

  // pods that came and went between two polls: their recorded tails
  for (const pod of record.result?.pods ?? [])
    if (!streams.has(pod.podName) && pod.logTail) {
      io.err(`==> ${pod.podName} (recorded tail) <==\n`);
      io.out(pod.logTail.endsWith('\n') ? pod.logTail : `${pod.logTail}\n`);
    }
  return record;
}

function isForbidden(error: unknown): boolean {
  const code = (error as { code?: number }).code;
  return code === 401 || code === 403;
}

const firstLine = (error: unknown): string => String((error as Error).message).split('\n')[0] ?? '';

function noAccess(error: unknown): CliError {
  return new CliError(
    `cannot stream logs from the cluster (${firstLine(error)}): --follow needs pods list and pods/log get in the job's namespace (--kubeconfig FILE)`,
  );
}
