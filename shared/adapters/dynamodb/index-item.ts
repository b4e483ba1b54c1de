import { JOBS_TABLE, type TableIndex } from '../../resources.ts';

/**
 * The item DynamoDB keeps in `index` for a table item: the table's key, the index's keys and the
 * attributes the index projects. Undefined when the item lacks one of the index's keys (DynamoDB
 * leaves such an item out of the index). What an index Query returns, and what it is billed by.
 */
export function indexItem<T extends object>(item: T, index: TableIndex): Partial<T> | undefined {
  const source = item as Record<string, unknown>;
  if (source[index.partitionKey.name] === undefined || source[index.sortKey.name] === undefined)
    return undefined;
  const names = [JOBS_TABLE.partitionKey.name, index.partitionKey.name, index.sortKey.name];
  if (index.projection.type === 'INCLUDE') names.push(...index.projection.attributes);
  const projected: Record<string, unknown> = {};
  for (const name of names) if (source[name] !== undefined) projected[name] = source[name];
  return projected as Partial<T>;
}

/** The index of JOBS_TABLE by name. */
export function jobsIndex(name: 'byOwner' | 'byStatus'): TableIndex {
  const index = JOBS_TABLE.indexes.find((i) => i.name === name);
  if (!index) throw new Error(`JOBS_TABLE has no index ${name}`);
  return index;
}
