import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { jobsTableInput, jobsTableTtlInput } from './definitions.ts';

/**
 * Creates the jobs table unless it exists, then turns its TTL on. An existing table whose
 * keys or indexes differ from the definition is an error, not silently kept: tests would
 * otherwise run against a schema that does not deploy.
 */
export async function ensureJobsTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  const wanted = jobsTableInput(tableName);
  const existing = await describeTable(dynamodb, tableName);
  if (existing) {
    assertSameSchema(existing, tableName);
  } else {
    try {
      await dynamodb.send(new CreateTableCommand(wanted));
    } catch (error) {
      // Another provisioning run created it first; the schema check below still applies.
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    }
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: tableName });
    const created = await describeTable(dynamodb, tableName);
    if (created) assertSameSchema(created, tableName);
  }
  await ensureTtl(dynamodb, tableName);
}

async function describeTable(
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    return (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function ensureTtl(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  const wanted = jobsTableTtlInput(tableName);
  const { TimeToLiveDescription: ttl } = await dynamodb.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const on = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
  if (on && ttl?.AttributeName === wanted.TimeToLiveSpecification?.AttributeName) return;
  // DynamoDB refuses to enable TTL twice, hence the check above rather than a blind update.
  await dynamodb.send(new UpdateTimeToLiveCommand(wanted));
}

/** The table's keys and indexes in a comparable form, from a definition or a description. */
export function schemaOf(table: {
  KeySchema?: { AttributeName?: string; KeyType?: string }[];
  StreamSpecification?: { StreamEnabled?: boolean; StreamViewType?: string };
  AttributeDefinitions?: { AttributeName?: string; AttributeType?: string }[];
  GlobalSecondaryIndexes?: {
    IndexName?: string;
    KeySchema?: { AttributeName?: string; KeyType?: string }[];
    Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }[];
}): string {
  const keys = (schema: { AttributeName?: string; KeyType?: string }[] = []) =>
    schema.map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
  const stream = table.StreamSpecification;
  return JSON.stringify({
    keys: keys(table.KeySchema),
    stream: stream?.StreamEnabled ? stream.StreamViewType : 'none',
    attributes: (table.AttributeDefinitions ?? []).map((a) => `${a.AttributeName}:${a.AttributeType}`).sort(),
    indexes: (table.GlobalSecondaryIndexes ?? [])
      .map((i) => `${i.IndexName}(${keys(i.KeySchema)})${projected(i.Projection)}`)
      .sort(),
  });
}

/** `ALL`, `KEYS_ONLY`, or `INCLUDE[a,b]` (sorted: DynamoDB need not keep the order). */
function projected(p: { ProjectionType?: string; NonKeyAttributes?: string[] } | undefined): string {
  const attributes = p?.NonKeyAttributes ? `[${[...p.NonKeyAttributes].sort().join(',')}]` : '';
  return `${p?.ProjectionType}${attributes}`;
}

function assertSameSchema(existing: TableDescription, tableName: string): void {
  const want = schemaOf(jobsTableInput(tableName));
  const have = schemaOf(existing);
  if (want !== have) {
    throw new Error(
      `table ${tableName} exists with another schema (have ${have}, want ${want}): delete it or restart the local stack`,
    );
  }
}
