import { LABELS, RESERVED_PREFIX } from '../job/labels.ts';
import {
  isDns1123Label,
  isDns1123Subdomain,
  isLabelValue,
  isQualifiedName,
  isQuantity,
  keyPrefix,
} from './k8s-syntax.ts';
import * as z from './zod.ts';

// The field types of request contract v1 that are Kubernetes names, quantities and metadata.

/** A custom check's stable rule id goes in `params.rule`: the REJECTED reason's `rule` (docs/request.md). */
export const rule = (id: string, message: string) => ({ message, params: { rule: id } });

export const JOB_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,199}$/;
export const jobIdSchema = z
  .string()
  .check(
    z.regex(
      JOB_ID_PATTERN,
      'jobId: 1-200 characters of A-Z a-z 0-9 . _ : / @ + = -, starting with a letter or digit',
    ),
    z.describe('The client idempotency key. Absent: the SQS message id is used (see docs/request.md).'),
  );

export const ownerSchema = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,127}$/,
      'owner: 1-128 characters of A-Z a-z 0-9 . _ : / @ + = -',
    ),
    z.describe('Who the job is for; the byOwner index key.'),
  );

export const dnsLabel = (what: string) =>
  z.string().check(z.refine(isDns1123Label, rule('k8s.dns1123_label', `${what} must be a DNS-1123 label`)));
export const dnsSubdomain = (what: string) =>
  z
    .string()
    .check(
      z.refine(isDns1123Subdomain, rule('k8s.dns1123_subdomain', `${what} must be a DNS-1123 subdomain`)),
    );

export const quantity = z
  .string()
  .check(
    z.maxLength(32),
    z.refine(isQuantity, rule('k8s.quantity', 'must be a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi')),
  );

/** Our own keys and the ones Kubernetes reserves may not be set by a request. */
export function isReservedKey(key: string): boolean {
  const prefix = keyPrefix(key);
  if (key === LABELS.managedBy) return true;
  if (prefix === undefined) return false;
  const ours = RESERVED_PREFIX.slice(0, -1);
  if (prefix === ours || prefix.endsWith(`.${ours}`)) return true;
  const k8s = ['kubernetes.io', 'k8s.io'].some((p) => prefix === p || prefix.endsWith(`.${p}`));
  return k8s && prefix !== 'app.kubernetes.io';
}

const metadataKey = z.string().check(
  z.refine(
    isQualifiedName,
    rule('k8s.qualified_name', 'must be a qualified name ([prefix/]name, name <= 63)'),
  ),
  z.refine((key) => !isReservedKey(key), rule('labels.reserved_prefix', 'this key or prefix is reserved')),
);

export const labels = z
  .record(
    metadataKey,
    z.string().check(z.refine(isLabelValue, rule('k8s.label_value', 'must be a label value (<= 63)'))),
  )
  .check(z.refine((value) => Object.keys(value).length <= 32, rule('labels.too_many', 'at most 32 labels')));

/** Node selectors match node labels, the well-known `kubernetes.io` ones included: no reserved check. */
export const nodeSelector = z
  .record(
    z
      .string()
      .check(
        z.refine(
          isQualifiedName,
          rule('k8s.qualified_name', 'must be a qualified name ([prefix/]name, name <= 63)'),
        ),
      ),
    z.string().check(z.refine(isLabelValue, rule('k8s.label_value', 'must be a label value (<= 63)'))),
  )
  .check(
    z.refine(
      (value) => Object.keys(value).length <= 20,
      rule('node_selector.too_many', 'at most 20 node selector terms'),
    ),
  );

export const annotations = z
  .record(metadataKey, z.string())
  .check(
    z.refine(
      (value) => Object.entries(value).reduce((n, [k, v]) => n + k.length + v.length, 0) <= 64 * 1024,
      rule('annotations.too_large', 'annotations may hold at most 64 KiB'),
    ),
  );

export const byName = <T extends { name: string }>(items: T[] | undefined) => {
  const names = (items ?? []).map((i) => i.name);
  return new Set(names).size === names.length;
};
