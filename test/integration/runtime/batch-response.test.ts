import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readBatchResponse } from '../../../infra/local/runtime/batch-response.ts';

const ids = ['a', 'b'];
const failed = (response: unknown) => {
  const verdict = readBatchResponse(response, ids);
  return verdict.kind === 'success' ? [...verdict.failedMessageIds] : verdict.kind;
};

describe('readBatchResponse (ReportBatchItemFailures)', () => {
  test('complete success: no response, or no or an empty failure list', () => {
    for (const response of [undefined, null, {}, { batchItemFailures: null }, { batchItemFailures: [] }]) {
      assert.deepEqual(failed(response), [], JSON.stringify(response));
    }
  });

  test('partial: the reported message ids', () => {
    assert.deepEqual(failed({ batchItemFailures: [{ itemIdentifier: 'b' }] }), ['b']);
    assert.deepEqual(failed({ batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'a' }] }), [
      'a',
    ]);
  });

  test('complete failure: an identifier that is empty, missing, misnamed or unknown, or an unreadable response', () => {
    for (const response of [
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{ itemIdentifier: null }] },
      { batchItemFailures: [{ itemId: 'a' }] },
      { batchItemFailures: [{ itemIdentifier: 'c' }] },
      { batchItemFailures: [null] },
      { batchItemFailures: 'a' },
      'a',
      [],
    ]) {
      assert.equal(failed(response), 'invalid', JSON.stringify(response));
    }
  });
});
