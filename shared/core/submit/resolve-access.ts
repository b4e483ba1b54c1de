import { parseImage } from './k8s-syntax.ts';
import type { Policy } from './policy.ts';
import type { SubmitRequest } from './request-schema.ts';
import type { Deny, ResolvedSpec } from './resolve.ts';

/** Whether the policy allows the image: by its registry, or by a prefix of the reference. */
export function imageAllowed(image: string, policy: Policy): boolean {
  const ref = parseImage(image);
  if (!ref) return false;
  if (policy.images.allowedRegistries.includes(ref.registry)) return true;
  // A prefix is matched against the reference as written and in its full form
  // (`busybox:1` is `docker.io/library/busybox:1`).
  const full = `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
  return policy.images.allowedPrefixes.some((prefix) =>
    [image, full].some((candidate) => {
      if (!candidate.startsWith(prefix)) return false;
      if (candidate.length === prefix.length || /[/:@]$/.test(prefix)) return true;
      return /[/:@]/.test(candidate.charAt(prefix.length));
    }),
  );
}

/**
 * What the pod may run as and refer to: priority class, service account and its token, secrets,
 * claims, config maps, toleration, node selector and pod label keys, each on the policy's
 * allow-list. A value the base template or the policy gives is the operator's and is not checked.
 */
export function resolveAccess(
  request: SubmitRequest,
  policy: Policy,
  deny: Deny,
): Pick<ResolvedSpec, 'priorityClassName' | 'serviceAccountName' | 'automountServiceAccountToken'> {
  const pod = policy.template?.spec?.template?.spec;
  const priorityClassName =
    request.priorityClassName ?? pod?.priorityClassName ?? policy.defaultPriorityClassName;
  if (request.priorityClassName !== undefined && !policy.priorityClasses.includes(request.priorityClassName))
    deny(
      'priorityClassName',
      'policy.priority_class_not_allowed',
      `priority class ${request.priorityClassName} is not allowed`,
    );

  const serviceAccountName = request.serviceAccountName ?? pod?.serviceAccountName;
  const account = policy.serviceAccounts.find((a) => a.name === request.serviceAccountName);
  if (request.serviceAccountName !== undefined && !account)
    deny(
      'serviceAccountName',
      'policy.service_account_not_allowed',
      `service account ${request.serviceAccountName} is not allowed`,
    );
  const automountServiceAccountToken = request.automountServiceAccountToken === true;
  if (automountServiceAccountToken && account && !account.automountToken)
    deny(
      'automountServiceAccountToken',
      'policy.token_not_allowed',
      `service account ${account.name} may not mount its token`,
    );

  request.env?.forEach((env, i) => {
    if ('secretRef' in env && !policy.secrets.includes(env.secretRef.name))
      deny(
        `env[${i}].secretRef.name`,
        'policy.secret_not_allowed',
        `secret ${env.secretRef.name} is not allowed`,
      );
  });
  request.volumes?.forEach((v, i) => {
    if (v.persistentVolumeClaim && !policy.persistentVolumeClaims.includes(v.persistentVolumeClaim.claimName))
      deny(
        `volumes[${i}].persistentVolumeClaim.claimName`,
        'policy.pvc_not_allowed',
        `claim ${v.persistentVolumeClaim.claimName} is not allowed`,
      );
    if (v.configMap && !policy.configMaps.includes(v.configMap.name))
      deny(
        `volumes[${i}].configMap.name`,
        'policy.config_map_not_allowed',
        `config map ${v.configMap.name} is not allowed`,
      );
  });
  // Keys are allowed only by name: an empty (or absent) list allows none.
  const unlisted = (
    keys: [path: string, key: string | undefined][],
    allowed: string[],
    id: string,
    what: string,
  ) => {
    for (const [path, key] of keys)
      if (key === undefined || !allowed.includes(key))
        deny(path, id, `${what} ${key ?? '(any)'} is not allowed`);
  };
  const mapKeys = (field: string, map: Record<string, string> | undefined): [string, string][] =>
    Object.keys(map ?? {}).map((key) => [`${field}.${key}`, key]);
  unlisted(
    (request.tolerations ?? []).map((tol, i) => [`tolerations[${i}].key`, tol.key]),
    policy.tolerationKeys,
    'policy.toleration_not_allowed',
    'toleration key',
  );
  unlisted(
    mapKeys('nodeSelector', request.nodeSelector),
    policy.nodeSelectorKeys,
    'policy.node_selector_not_allowed',
    'node selector key',
  );
  unlisted(
    mapKeys('podLabels', request.podLabels),
    policy.podLabelKeys,
    'policy.pod_label_key',
    'pod label key',
  );
  return { priorityClassName, serviceAccountName, automountServiceAccountToken };
}
