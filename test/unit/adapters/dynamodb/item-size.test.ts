import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { itemBytes } from '../../../../shared/adapters/dynamodb/item-size.ts';

describe('itemBytes: the size DynamoDB counts', () => {
  it('counts names and values as DynamoDB documents them', () => {
    assert.equal(itemBytes({ jobId: 'abc' }), 5 + 3);
    assert.equal(itemBytes({ n: 12345 }), 1 + 4, 'numbers: about a byte per two digits, plus one');
    assert.equal(itemBytes({ b: true }), 1 + 1);
    assert.equal(itemBytes({ l: ['ab', 'c'] }), 1 + 3 + (1 + 2) + (1 + 1));
    assert.equal(itemBytes({ m: { k: 'v' } }), 1 + 3 + (1 + 1 + 1));
  });

  it('leaves out undefined values, as the document client does, and counts UTF-8 bytes', () => {
    assert.equal(itemBytes({ a: 'é', b: undefined }), 1 + 2);
  });
});
