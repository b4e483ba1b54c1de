import type { Grant, IamAction } from './action-table.ts';
import { DYNAMODB_ACTIONS } from './dynamodb/iam.ts';
import { EVENTBRIDGE_ACTIONS } from './eventbridge/iam.ts';
import { KUBERNETES_ACTIONS } from './kubernetes/iam.ts';

/**
 * Every adapter's action table, by adapter: the IAM actions each of its methods calls. A
 * function declares the methods it uses (functions/<name>/uses.ts); CDK grants it the actions
 * of those and no others (infra/constructs/job-runner.ts), and its handler hands the use cases
 * adapters that refuse any other method (shared/runtime/only-methods.ts).
 */
export const ADAPTER_ACTIONS = { ...DYNAMODB_ACTIONS, ...EVENTBRIDGE_ACTIONS, ...KUBERNETES_ACTIONS };

export type AdapterName = keyof typeof ADAPTER_ACTIONS;

/** The methods a function uses, by adapter: only methods an action table declares. */
export type Uses = {
  readonly [A in AdapterName]?: readonly (keyof (typeof ADAPTER_ACTIONS)[A] & string)[];
};

/** The grants of the used methods, each once, sorted. */
export function grantsOf(uses: Uses): Grant[] {
  const grants = new Set<Grant>();
  for (const [adapter, methods] of Object.entries(uses) as [AdapterName, readonly string[]][]) {
    const table: Record<string, readonly Grant[]> = ADAPTER_ACTIONS[adapter];
    for (const method of methods) {
      const declared = table[method];
      if (!declared) throw new Error(`${adapter}.${method} has no action table entry`);
      for (const grant of declared) grants.add(grant);
    }
  }
  return [...grants].sort();
}

/** A grant's action and the part of its service's resource it is on (undefined: the whole). */
export function parseGrant(grant: Grant): { action: IamAction; part?: string } {
  const [action, part] = grant.split('@') as [IamAction, string | undefined];
  return part ? { action, part } : { action };
}

/** The IAM service prefix of an action: `dynamodb` of `dynamodb:PutItem`. */
export function serviceOf(action: IamAction): string {
  return action.slice(0, action.indexOf(':'));
}
