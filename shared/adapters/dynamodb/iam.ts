import { actionTable } from '../action-table.ts';
import type { DynamoDbAdmissionStore } from './admission-store.ts';
import type { DynamoDbJobQueries } from './job-queries.ts';
import type { DynamoDbJobStore } from './job-store.ts';

/**
 * The DynamoDB actions each method of the DynamoDB adapters calls, on the jobs table or on the
 * one index it queries (test/unit/adapters/iam.test.ts sends every method's calls and checks them here).
 */
export const DYNAMODB_ACTIONS = {
  DynamoDbJobStore: actionTable<DynamoDbJobStore>()({
    /** A conditional PutItem; when the condition fails, one GetItem reads the existing record. */
    create: ['dynamodb:PutItem', 'dynamodb:GetItem'],
    /**
     * A TransactWriteItems of conditional puts (IAM authorizes it as their PutItems), and, after a
     * cancelled one, the PutItems and GetItems of create.
     */
    createAll: ['dynamodb:PutItem', 'dynamodb:GetItem'],
    get: ['dynamodb:GetItem'],
    /**
     * A conditional PutItem; when the condition fails, one GetItem tells whose write is stored. A
     * replace that gives quota back is a transaction of that put and UpdateItems of the counters.
     */
    replace: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
  }),
  DynamoDbAdmissionStore: actionTable<DynamoDbAdmissionStore>()({
    /** A transaction: the record's conditional PutItem and a conditional UpdateItem per counter. */
    admit: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
    /** The same transaction with several records' puts. */
    admitAll: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
    usage: ['dynamodb:BatchGetItem'],
  }),
  DynamoDbJobQueries: actionTable<DynamoDbJobQueries>()({
    getJob: ['dynamodb:GetItem'],
    getJobs: ['dynamodb:BatchGetItem'],
    getStates: ['dynamodb:BatchGetItem'],
    /** The indexes give ids (and sort keys); the records are read by key (v1.3). */
    listByOwner: ['dynamodb:Query@index/byOwner', 'dynamodb:BatchGetItem'],
    listByState: ['dynamodb:Query@index/byStatus', 'dynamodb:BatchGetItem'],
    scanState: ['dynamodb:Query@index/byStatus', 'dynamodb:BatchGetItem'],
    scanQueue: ['dynamodb:Query@index/byStatus'],
    scanActive: ['dynamodb:Query@index/byStatus'],
  }),
};
