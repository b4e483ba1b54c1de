import * as iam from 'aws-cdk-lib/aws-iam';
import type { IamAction } from '../../shared/adapters/action-table.ts';
import { actionsOf, serviceOf, type Uses } from '../../shared/adapters/iam.ts';

/** What each service's actions are granted on, by IAM service prefix (`dynamodb`, `events`). */
export type ServiceResources = Readonly<Record<string, readonly string[]>>;

/**
 * Grants the role the IAM actions of the adapter methods a function uses (its uses.ts and the
 * adapters' action tables, shared/adapters/iam.ts): one statement per service, on that
 * service's resources. A used action on a service without resources fails the synth.
 */
export function grantUses(role: iam.IRole, uses: Uses, resources: ServiceResources): void {
  const byService = new Map<string, IamAction[]>();
  for (const action of actionsOf(uses)) {
    const service = serviceOf(action);
    byService.set(service, [...(byService.get(service) ?? []), action]);
  }
  for (const [service, actions] of byService) {
    const on = resources[service];
    if (!on) throw new Error(`no ${service} resources to grant ${actions.join(', ')} on`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [...on] }));
  }
}
