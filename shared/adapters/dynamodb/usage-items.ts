import type { Limits, Scope, Usage } from '../../core/admission/types.ts';
import { USAGE_DIMENSIONS } from '../../core/admission/types.ts';

/**
 * Usage counters live in the jobs table beside the records (one item per scope), so that a record's
 * write and its counters' update are one transaction. Their keys start with `#`, which no jobId
 * may (request-fields.ts), and they carry no index attribute: no index and no reader of records
 * ever sees them.
 */
export const usageKey = (scope: Scope): string => `#usage#${scope}`;

export const scopeOfKey = (key: string): Scope | undefined =>
  key.startsWith('#usage#') ? (key.slice('#usage#'.length) as Scope) : undefined;

export interface UsageItem extends Usage {
  jobId: string;
  /** The quota in force at the last admission, for readers (ejr usage): the policy holds the truth. */
  limits?: Limits;
}

/**
 * An Update of one counter by `sign` times `charge`; with `limits`, conditional on staying within
 * them (a counter not written yet counts as zero).
 */
export function usageUpdate(
  tableName: string,
  scope: Scope,
  charge: Usage,
  sign: 1 | -1,
  limits?: Limits,
): Record<string, unknown> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const conditions: string[] = [];
  const adds = USAGE_DIMENSIONS.map((d) => {
    names[`#${d}`] = d;
    values[`:${d}`] = sign * charge[d];
    const limit = limits?.[d];
    if (limit !== undefined) {
      // Within the limit after the add: the stored value is at most limit - charge.
      values[`:max_${d}`] = limit - charge[d];
      conditions.push(`(attribute_not_exists(#${d}) OR #${d} <= :max_${d})`);
    }
    return `#${d} :${d}`;
  });
  const update: Record<string, unknown> = {
    TableName: tableName,
    Key: { jobId: usageKey(scope) },
    UpdateExpression: `ADD ${adds.join(', ')}${limits ? ' SET #limits = :limits' : ''}`,
    ExpressionAttributeNames: { ...names, ...(limits && { '#limits': 'limits' }) },
    ExpressionAttributeValues: { ...values, ...(limits && { ':limits': limits }) },
  };
  if (conditions.length > 0) update.ConditionExpression = conditions.join(' AND ');
  return update;
}
