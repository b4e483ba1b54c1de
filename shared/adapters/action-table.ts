/**
 * The shape of an adapter's IAM action table (each adapter's iam.ts): for every public method,
 * the IAM actions of the AWS calls that method can make, each on the part of its service's
 * resource it needs. CDK grants a function the actions of
 * the methods it declares it uses (functions/<name>/uses.ts, shared/adapters/iam.ts), and
 * test/unit/adapters/iam.test.ts proves each table against the calls the adapter really sends.
 */

/** `service:Operation`, as IAM names it: `dynamodb:PutItem`. */
export type IamAction = `${string}:${string}`;

/**
 * An action on its service's resource (the table, the bus, the cluster), or, with `@part`, on a
 * part of it only: `dynamodb:Query@index/byStatus` is a Query of that one index of the table.
 */
export type Grant = IamAction | `${IamAction}@${string}`;

/** The names of an adapter's public methods (TypeScript-private ones are not keys of the type). */
export type MethodsOf<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T] &
  string;

/**
 * Declares `Adapter`'s action table. The table must name every public method of `Adapter`:
 * a method added to the adapter and not declared here is a type error that names it.
 */
export function actionTable<Adapter>() {
  return <const Table extends Record<MethodsOf<Adapter>, readonly Grant[]>>(table: Table): Table => table;
}
