import type { V1Job, V1Pod, Watch } from '@kubernetes/client-node';
import type { KubeCounters, WatchEnd, WatchEventType } from '../../core/ports.ts';
import { ApiException } from './client-node.ts';

/** One watch request lasts at most this long; the stream is then resumed from its resourceVersion. */
const WATCH_REQUEST_SECONDS = 25;
/** Dropped connections in a row (no event in between) before the watch gives up. */
const MAX_DROPS_IN_A_ROW = 5;

/**
 * Watches Jobs or pods from `resourceVersion` until the deadline or the signal, resuming after each
 * request ends or the connection drops. A 410 ends it with `expired` (the caller lists again).
 * The reconnect budget counts drops in a row: any event or bookmark in between resets it.
 */
export async function watchStream(
  watcher: Watch,
  counters: KubeCounters,
  resource: 'jobs' | 'pods',
  namespace: string,
  options: { resourceVersion: string; labelSelector: string; deadline: number; signal?: AbortSignal },
  onEvent: (type: WatchEventType, object: V1Job & V1Pod) => void,
): Promise<WatchEnd> {
  const path =
    resource === 'jobs'
      ? `/apis/batch/v1/namespaces/${namespace}/jobs`
      : `/api/v1/namespaces/${namespace}/pods`;
  let resourceVersion = options.resourceVersion;
  let drops = 0;
  while (Date.now() < options.deadline - 250 && !options.signal?.aborted) {
    const seconds = Math.max(
      1,
      Math.min(WATCH_REQUEST_SECONDS, Math.floor((options.deadline - Date.now()) / 1000)),
    );
    let expired = false;
    let progressed = false;
    counters.watchRequests++;
    const ended = await new Promise<unknown>((resolve) => {
      let controller: AbortController | undefined;
      const stop = (): void => controller?.abort();
      const timer = setTimeout(stop, Math.max(0, options.deadline - Date.now()));
      options.signal?.addEventListener('abort', stop, { once: true });
      const finish = (err: unknown): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', stop);
        resolve(err);
      };
      const query = {
        resourceVersion,
        labelSelector: options.labelSelector,
        allowWatchBookmarks: true,
        timeoutSeconds: seconds,
      };
      watcher
        .watch(
          path,
          query,
          (type, object) => {
            if (type === 'ERROR') {
              if ((object as { code?: number })?.code === 410) expired = true;
              return;
            }
            progressed = true;
            const rv = (object as V1Job)?.metadata?.resourceVersion;
            if (rv) resourceVersion = rv;
            if (type === 'BOOKMARK') return;
            counters.watchEvents++;
            onEvent(type as WatchEventType, object as V1Job & V1Pod);
          },
          finish,
        )
        .then((c) => {
          controller = c;
          if (options.signal?.aborted || Date.now() >= options.deadline) c.abort();
        }, finish);
    });
    if (expired || isGone(ended)) return { resourceVersion, expired: true };
    if (progressed) drops = 0;
    const aborted = (ended as { name?: string } | null)?.name === 'AbortError';
    if (ended && !aborted && Date.now() < options.deadline) {
      // A dropped connection: resume from the last resourceVersion after a short pause.
      drops++;
      if (drops > MAX_DROPS_IN_A_ROW) throw ended;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** drops)));
    }
  }
  return { resourceVersion, expired: false };
}

function isGone(error: unknown): boolean {
  if (error instanceof ApiException) return error.code === 410;
  const e = error as { statusCode?: number; code?: number } | undefined;
  return e?.statusCode === 410 || e?.code === 410;
}
