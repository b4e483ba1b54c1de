/**
 * Runs tasks one at a time, in the order given: the resync's pages, the watch's batches and the
 * LOST checks share the invocation's records, so they take turns. A failed task does not stop
 * the ones after it.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
