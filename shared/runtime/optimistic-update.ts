/**
 * Optimistic concurrency, once for every writer (submit's refusal, cancel, reconcile): decide on
 * the record as read, write conditionally, and when another writer was first, decide again on
 * the fresh record it returns. Bounded: after `rounds` lost races, `exhausted` has the last word.
 */
export type Step<S, R> = { kind: 'done'; result: R } | { kind: 'conflict'; fresh: S };

export async function optimisticUpdate<S, R>(options: {
  initial: S;
  rounds: number;
  step: (current: S, round: number) => Promise<Step<S, R>>;
  exhausted: (last: S) => R | Promise<R>;
}): Promise<R> {
  let current = options.initial;
  for (let round = 0; round < options.rounds; round++) {
    const step = await options.step(current, round);
    if (step.kind === 'done') return step.result;
    current = step.fresh;
  }
  return options.exhausted(current);
}

export const done = <R>(result: R): { kind: 'done'; result: R } => ({ kind: 'done', result });
export const conflict = <S>(fresh: S): { kind: 'conflict'; fresh: S } => ({ kind: 'conflict', fresh });
