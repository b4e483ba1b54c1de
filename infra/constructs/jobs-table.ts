import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type IndexProjection, JOBS_TABLE, type KeyAttribute } from '../../shared/resources.ts';

export interface JobsTableProps {
  /** RETAIN for anything that holds real job history; DESTROY for throwaway stacks. */
  removalPolicy: RemovalPolicy;
}

const attribute = (key: KeyAttribute): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

const projection = (
  p: IndexProjection,
): Pick<dynamodb.GlobalSecondaryIndexProps, 'projectionType' | 'nonKeyAttributes'> =>
  p.type === 'INCLUDE'
    ? { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...p.attributes] }
    : { projectionType: dynamodb.ProjectionType.KEYS_ONLY };

/** The job records, keyed and indexed as JOBS_TABLE says (the local stack builds the same). */
export class JobsTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: JobsTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: attribute(JOBS_TABLE.partitionKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: JOBS_TABLE.ttlAttribute,
      stream: dynamodb.StreamViewType[JOBS_TABLE.streamViewType],
      removalPolicy: props.removalPolicy,
    });
    for (const index of JOBS_TABLE.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        ...projection(index.projection),
      });
    }
  }
}
