import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { PROJECT_ROOT } from './project-root.ts';

/**
 * infra/k8s/rbac.yaml is the one definition of the runner's Kubernetes permissions: CDK
 * applies it to a cluster it manages, prints the command for a cluster it imports, and the
 * local stack applies it to the test cluster.
 */
export const RBAC_FILE = 'infra/k8s/rbac.yaml';
const PLACEHOLDER = /\bNAMESPACE\b/g;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export type KubernetesObject = Record<string, unknown> & { kind: string; metadata: Record<string, unknown> };

export function assertNamespace(namespace: string): void {
  if (!DNS_LABEL.test(namespace)) throw new Error(`"${namespace}" is not a valid Kubernetes namespace name`);
}

/** The Role and RoleBinding for one jobs namespace, as `sed s/NAMESPACE/<ns>/g` would give them. */
export function rbacManifests(namespace: string): KubernetesObject[] {
  assertNamespace(namespace);
  const text = readFileSync(join(PROJECT_ROOT, RBAC_FILE), 'utf8').replace(PLACEHOLDER, namespace);
  return loadAll(text).filter((doc): doc is KubernetesObject => typeof doc === 'object' && doc !== null);
}

export type RunnerFunction = 'submit' | 'reconcile';

/**
 * The Kubernetes group each function's RoleBinding grants to: the access entry maps that
 * function's role into it (the binding is named `eks-job-runner-<function>`).
 */
export function runnerGroup(fn: RunnerFunction): string {
  const binding = rbacManifests('default').find(
    (doc) => doc.kind === 'RoleBinding' && doc.metadata.name === `eks-job-runner-${fn}`,
  ) as { subjects?: { kind: string; name: string }[] } | undefined;
  const group = binding?.subjects?.find((subject) => subject.kind === 'Group')?.name;
  if (!group) throw new Error(`${RBAC_FILE} has no RoleBinding of ${fn} to a Group`);
  return group;
}

/** The shell command that applies the RBAC to every jobs namespace of a cluster CDK does not manage. */
export function kubectlApplyCommand(namespaces: string[]): string {
  for (const namespace of namespaces) assertNamespace(namespace);
  return namespaces.map((ns) => `sed 's/NAMESPACE/${ns}/g' ${RBAC_FILE} | kubectl apply -f -`).join(' && ');
}
