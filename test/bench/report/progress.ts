// A progress line for long benchmark runs, on stderr: on a terminal one line rewritten in place,
// elsewhere (a log file, CI) a plain line; at most one a second either way, and always the last.
//
//   progress('ceiling: createNamespacedJob', done, N, 'last 8 ms');
//   -> "ceiling: createNamespacedJob 1200/2000 (60%) 112.4/s, ~7 s left; last 8 ms"

export interface ProgressOptions {
  stream?: { write(text: string): unknown; isTTY?: boolean };
  now?: () => number;
  intervalMs?: number;
}

/**
 * `label` names the count (its rate is per label); `note`, if any, follows the count. `end()` ends
 * a terminal line left open (an unfinished count), before other output: a log line, an error.
 */
export type Progress = ((label: string, done: number, total: number, note?: string) => void) & {
  end(): void;
};

/** One line's text: the count, the share, and the rate and time left once there is a rate. */
export function progressText(
  label: string,
  done: number,
  total: number,
  elapsedMs: number,
  note?: string,
): string {
  const share = total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : '';
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const left = rate > 0 && done < total ? `, ~${Math.ceil((total - done) / rate)} s left` : '';
  const speed = rate > 0 ? ` ${rate.toFixed(1)}/s${left}` : '';
  return `${label} ${done}/${total}${share}${speed}${note ? `; ${note}` : ''}`;
}

/** A progress function with its own clock and stream (the default: stderr, performance.now). */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const interval = options.intervalMs ?? 1000;
  const started = new Map<string, number>();
  let lastAt = Number.NEGATIVE_INFINITY;
  let open: string | undefined; // the label of a terminal line left on screen without its newline

  const line = (label: string, done: number, total: number, note?: string) => {
    const at = now();
    if (!started.has(label) || done === 0) started.set(label, at);
    const finished = done >= total;
    if (!finished && at - lastAt < interval) return;
    lastAt = at;
    const text = progressText(label, done, total, at - (started.get(label) ?? at), note);
    if (stream.isTTY) {
      // Another label's line stays on screen, ended; this one rewrites itself until it finishes.
      const ended = open !== undefined && open !== label ? '\n' : '';
      stream.write(`${ended}\r${text}\x1b[K${finished ? '\n' : ''}`);
      open = finished ? undefined : label;
    } else {
      stream.write(`${text}\n`);
    }
    if (finished) started.delete(label);
  };
  const end = () => {
    if (open !== undefined) stream.write('\n');
    open = undefined;
  };
  return Object.assign(line, { end });
}

/** The benchmarks' progress line, on stderr. */
export const progress: Progress = createProgress();
