import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { onlyMethods } from '../../../shared/runtime/only-methods.ts';

/** An adapter whose `create` calls its own `get`, as DynamoDbJobStore's does on a conflict. */
class Store {
  readonly counters = { calls: 0 };
  private readonly rows = new Map<string, string>([['a', 'row-a']]);

  async create(id: string): Promise<string | undefined> {
    this.counters.calls++;
    return this.get(id);
  }

  async get(id: string): Promise<string | undefined> {
    this.counters.calls++;
    return this.rows.get(id);
  }

  async replace(): Promise<boolean> {
    return true;
  }
}

describe('onlyMethods', () => {
  test('lets the declared methods through, on the adapter itself', async () => {
    const store = new Store();
    const guarded = onlyMethods(store, ['create'], 'functions/x/uses.ts');
    // create's own call of get is inside the adapter: its actions are create's (its table says so).
    assert.equal(await guarded.create('a'), 'row-a');
    assert.equal(guarded.counters.calls, 2, 'properties that are no methods pass');
    const { create } = guarded;
    assert.equal(await create('a'), 'row-a', 'a method taken off the guard keeps its adapter');
  });

  test('throws for any other method, naming it and where the uses are declared', async () => {
    const guarded = onlyMethods(new Store(), ['create'], 'functions/x/uses.ts');
    assert.throws(
      () => guarded.get('a'),
      (error: Error) =>
        error.message.startsWith('Store.get is not among the uses in functions/x/uses.ts') &&
        error.message.includes('CDK grants'),
    );
    assert.throws(() => guarded.replace(), /Store\.replace is not among the uses/);
  });

  test("leaves Object's own methods alone", () => {
    const guarded = onlyMethods(new Store(), [], 'functions/x/uses.ts');
    assert.equal(String(guarded), '[object Object]');
    assert.equal(guarded.constructor, Store);
  });

  test('refuses a declared use that is no method of the adapter', () => {
    assert.throws(
      () => onlyMethods(new Store(), ['counters'], 'functions/x/uses.ts'),
      /functions\/x\/uses\.ts declares Store\.counters, which is not a method of Store/,
    );
  });
});
