// DynamoDB read units from the bytes of the items a call read (moto returns no ConsumedCapacity), pure.
// Item sizes are as DynamoDB counts them (shared/adapters/dynamodb/item-size.ts). Unit tests:
// test/unit/bench/read-units.test.ts.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { itemBytes } from '../../shared/adapters/dynamodb/item-size.ts';

/** A read unit is one strongly consistent read of up to 4 KB, or two eventually consistent ones. */
export const READ_UNIT_BYTES = 4096;
/** A Query answers at most 1 MB of items a page (the last item may cross it). */
export const QUERY_PAGE_BYTES = 1024 * 1024;

const perRead = (consistent: boolean) => (consistent ? 1 : 0.5);

/**
 * One Query (or Scan) page: the sizes of all the items it read, summed, then rounded up to 4 KB; one
 * unit at least, even for no item. An index Query is always eventually consistent.
 */
export function queryReadUnits(itemSizes: readonly number[], consistent: boolean): number {
  const bytes = itemSizes.reduce((sum, n) => sum + n, 0);
  return Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES)) * perRead(consistent);
}

/** GetItem, and each item of a BatchGetItem: rounded up to 4 KB each (one unit for an item not found). */
export function itemReadUnits(size: number, consistent: boolean): number {
  return Math.max(1, Math.ceil(size / READ_UNIT_BYTES)) * perRead(consistent);
}

/**
 * A Query of every item of one partition key, page after page: items in order until a page holds
 * 1 MB (the item that reaches it is the page's last), each page billed as queryReadUnits.
 */
export function pagedQueryReadUnits(
  itemSizes: readonly number[],
  consistent: boolean,
): { pages: number; units: number } {
  const pages: number[][] = [[]];
  let bytes = 0;
  for (const size of itemSizes) {
    if (bytes >= QUERY_PAGE_BYTES) {
      pages.push([]);
      bytes = 0;
    }
    pages[pages.length - 1]?.push(size);
    bytes += size;
  }
  return {
    pages: pages.length,
    units: pages.reduce((sum, page) => sum + queryReadUnits(page, consistent), 0),
  };
}

/** The reads of some DynamoDB calls, by kind. */
export interface ReadTally {
  queries: number;
  queryItems: number;
  /** GetItem calls and BatchGetItem items. */
  itemReads: number;
  batchGets: number;
  units: number;
}

export const emptyTally = (): ReadTally => ({
  queries: 0,
  queryItems: 0,
  itemReads: 0,
  batchGets: 0,
  units: 0,
});

/** Adds one call's reads: its operation, whether it was consistent, and the items it returned. */
export function tallyRead(
  tally: ReadTally,
  operation: string,
  consistent: boolean,
  items: readonly object[],
): void {
  const sizes = items.map((item) => itemBytes(item));
  if (operation === 'Query' || operation === 'Scan') {
    tally.queries++;
    tally.queryItems += items.length;
    tally.units += queryReadUnits(sizes, consistent);
  } else if (operation === 'BatchGetItem' || operation === 'GetItem') {
    if (operation === 'BatchGetItem') tally.batchGets++;
    // A GetItem that found nothing still reads: one unit.
    const reads = operation === 'GetItem' && sizes.length === 0 ? [0] : sizes;
    tally.itemReads += reads.length;
    tally.units += reads.reduce((sum, size) => sum + itemReadUnits(size, consistent), 0);
  }
}

/**
 * Meters a document client's reads: every Query, GetItem and BatchGetItem it answers is tallied from
 * the items in the answer (as the application sees them: before the document client's conversion,
 * sizes are the same). `tally` is reset by the caller.
 */
export function meterReads(client: DynamoDBDocumentClient): { tally: ReadTally } {
  const meter = { tally: emptyTally() };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      // The client's own command names: QueryCommand, GetItemCommand, BatchGetItemCommand.
      const operation = String(context.commandName).replace(/Command$/, '');
      const input = args.input as {
        ConsistentRead?: boolean;
        RequestItems?: Record<string, { ConsistentRead?: boolean }>;
      };
      const output = result.output as {
        Items?: object[];
        Item?: object;
        Responses?: Record<string, object[]>;
      };
      const consistent =
        input.ConsistentRead === true ||
        Object.values(input.RequestItems ?? {}).some((r) => r.ConsistentRead);
      const items =
        output.Items ?? (output.Item ? [output.Item] : Object.values(output.Responses ?? {}).flat());
      tallyRead(meter.tally, operation, consistent, items);
      return result;
    },
    { step: 'initialize', name: 'meterReads' },
  );
  return meter;
}
