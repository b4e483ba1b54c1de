/**
 * IAM evaluation of recorded calls (recording-proxy.ts) with @cloud-copilot/iam-simulate, under a
 * function's identity policy alone (no SCP, RCP, boundary or resource policy: the functions'
 * resources have none that grant anything). `denied` is the enforcement; `grantsUnused` the
 * mutation check that every grant is needed by some call.
 *
 * iam-simulate is AGPL-3.0: a test-only devDependency, never imported by what is bundled.
 */
import { isWildcardOnlyAction, runSimulation } from '@cloud-copilot/iam-simulate';
import type { RecordedCall } from './recording-proxy.ts';
import { LOCAL_ACCOUNT } from './request-actions.ts';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, unknown>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** One grant of a policy: an action (as written) on a resource (as written) in one statement. */
export interface Grant {
  /** The statement's index in the policy. */
  statement: number;
  action: string;
  resource: string;
}

/** A grant the recorded calls need not exercise, and why (say, Lambda itself uses it). */
export interface Exemption {
  action: string;
  /** Any resource of that action when omitted. */
  resource?: string;
  reason: string;
}

export interface EvaluateOptions {
  /** The function's account; the calls' resources are in it unless their ARN says otherwise. */
  account?: string;
}

type Call = Pick<RecordedCall, 'action' | 'resources' | 'unmapped' | 'operation'>;

/**
 * The calls the policy does not allow, each call on each of its resources. An unmapped call is
 * among them: nothing shows that IAM would allow it.
 */
export async function denied<C extends Call>(
  calls: readonly C[],
  policy: PolicyDocument,
  options: EvaluateOptions = {},
): Promise<C[]> {
  const allowsAll = evaluator(policy, options.account ?? LOCAL_ACCOUNT);
  const result: C[] = [];
  for (const call of calls) {
    if (call.unmapped || !(await allowsAll(call))) result.push(call);
  }
  return result;
}

/**
 * The mutation check: the grants of the policy whose removal, alone, denies none of the calls
 * (besides the exempt ones). Every call must be allowed by the whole policy to begin with.
 */
export async function grantsUnused(
  calls: readonly Call[],
  policy: PolicyDocument,
  exempt: readonly Exemption[],
  options: EvaluateOptions = {},
): Promise<Grant[]> {
  const account = options.account ?? LOCAL_ACCOUNT;
  const refused = await denied(calls, policy, options);
  if (refused.length > 0) {
    throw new Error(
      `the policy denies calls, so removals prove nothing: ${refused.map(describe).join('; ')}`,
    );
  }
  // Many calls share an action and resource; each pair need only be evaluated once per policy.
  const distinct = new Map<string, Call>();
  for (const call of calls) {
    for (const resource of call.resources.length > 0 ? call.resources : ['']) {
      distinct.set(`${call.action} ${resource}`, { ...call, resources: resource ? [resource] : [] });
    }
  }
  const unused: Grant[] = [];
  for (const grant of grantsOf(policy)) {
    if (exempt.some((e) => e.action === grant.action && (e.resource ?? grant.resource) === grant.resource))
      continue;
    const allowsAll = evaluator(withoutGrant(policy, grant), account);
    let needed = false;
    for (const call of distinct.values()) {
      if (!(await allowsAll(call))) {
        needed = true;
        break;
      }
    }
    if (!needed) unused.push(grant);
  }
  return unused;
}

/** Every (statement, action, resource) of the policy's Allow statements. */
export function grantsOf(policy: PolicyDocument): Grant[] {
  return policy.Statement.flatMap((statement, index) => {
    if (!('Action' in statement) || !('Resource' in statement)) {
      throw new Error(`statement ${index} has NotAction or NotResource, which removals cannot split`);
    }
    if (statement.Effect !== 'Allow') return [];
    return list(statement.Action).flatMap((action) =>
      list(statement.Resource).map((resource) => ({ statement: index, action, resource })),
    );
  });
}

/** The policy less one grant: its statement split into the rest of its actions, and the rest of its resources. */
export function withoutGrant(policy: PolicyDocument, grant: Grant): PolicyDocument {
  const Statement = policy.Statement.flatMap((statement, index) => {
    if (index !== grant.statement) return [statement];
    // The parts are new statements; a Sid must stay unique in a policy, so they have none.
    const { Sid: _sid, ...rest } = statement;
    const actions = list(statement.Action).filter((action) => action !== grant.action);
    const resources = list(statement.Resource).filter((resource) => resource !== grant.resource);
    return [
      ...(actions.length > 0 ? [{ ...rest, Action: actions, Resource: list(statement.Resource) }] : []),
      ...(resources.length > 0 ? [{ ...rest, Action: [grant.action], Resource: resources }] : []),
    ];
  });
  return { ...policy, Statement };
}

/** Decides calls under one policy, each (action, resource) simulated once. */
function evaluator(policy: PolicyDocument, account: string) {
  const decisions = new Map<string, Promise<boolean>>();
  const allows = (action: string, resource: string): Promise<boolean> => {
    const key = `${action} ${resource}`;
    let decision = decisions.get(key);
    if (!decision) {
      decision = simulate(policy, account, action, resource);
      decisions.set(key, decision);
    }
    return decision;
  };
  return async (call: Call): Promise<boolean> => {
    for (const resource of await requestedResources(call)) {
      if (!(await allows(call.action, resource))) return false;
    }
    return true;
  };
}

async function simulate(policy: PolicyDocument, account: string, action: string, resource: string) {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${account}:role/function-under-test`,
        action,
        resource: { resource, accountId: arnAccount(resource) ?? account },
        contextVariables: {},
      },
      identityPolicies: policy.Statement.length > 0 ? [{ name: 'function', policy }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(
      `iam-simulate cannot evaluate ${action} on ${resource}: ${JSON.stringify(result.errors)}`,
    );
  }
  return result.overallResult === 'Allowed';
}

/**
 * The resources to simulate a call on. A pattern is refused: iam-simulate reads a "*" request
 * as "any resource", allowed if some resource would be, which would pass a grant on one index
 * for a call on the table. "*" itself is simulated only for an action IAM evaluates on "*" alone
 * (ListStreams, GetCallerIdentity), where the simulator matches it literally.
 */
async function requestedResources(call: Call): Promise<string[]> {
  const pattern = call.resources.find((resource) => resource.includes('*'));
  if (pattern !== undefined)
    throw new Error(`${describe(call)}: a call's resource must be an ARN, not "${pattern}"`);
  if (call.resources.length > 0) return call.resources;
  const [service = '', name = ''] = call.action.split(':');
  if (await isWildcardOnlyAction(service, name)) return ['*'];
  throw new Error(`${describe(call)}: no resource, and ${call.action} is evaluated on resources`);
}

function arnAccount(resource: string): string | undefined {
  const account = resource.split(':')[4];
  return account ? account : undefined;
}

function list(value: string | string[]): string[] {
  return [value].flat();
}

function describe(call: Call): string {
  return `${call.action || call.operation} on ${call.resources.join(', ') || '*'}`;
}
