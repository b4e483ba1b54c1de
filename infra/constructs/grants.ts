import * as iam from 'aws-cdk-lib/aws-iam';
import type { IamAction } from '../../shared/adapters/action-table.ts';
import { grantsOf, parseGrant, serviceOf, type Uses } from '../../shared/adapters/iam.ts';

/** What each service's actions are granted on, by IAM service prefix (`dynamodb`, `events`). */
export type ServiceResources = Readonly<Record<string, readonly string[]>>;

/**
 * Grants the role the IAM actions of the adapter methods a function uses (its uses.ts and the
 * adapters' action tables, shared/adapters/iam.ts), each on its service's resources or on the
 * part of them it names (an index of the table): one statement per set of resources. A used
 * action on a service without resources fails the synth.
 */
export function grantUses(role: iam.IRole, uses: Uses, resources: ServiceResources): void {
  const byResources = new Map<string, { resources: string[]; actions: IamAction[] }>();
  for (const grant of grantsOf(uses)) {
    const { action, part } = parseGrant(grant);
    const service = serviceOf(action);
    const on = resources[service];
    if (!on) throw new Error(`no ${service} resources to grant ${action} on`);
    const arns = on.map((arn) => (part ? `${arn}/${part}` : arn));
    const key = `${service} ${part ?? ''}`;
    const statement = byResources.get(key) ?? { resources: arns, actions: [] };
    if (!statement.actions.includes(action)) statement.actions.push(action);
    byResources.set(key, statement);
  }
  for (const { actions, resources: on } of byResources.values()) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: on }));
  }
}
