import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { flag, integer, list, number, optional, required } from '../../../shared/runtime/settings.ts';

describe('settings from the environment', () => {
  test('required and optional values are trimmed; blank is absent', () => {
    assert.equal(required({ A: ' x ' }, 'A'), 'x');
    assert.throws(() => required({ A: '  ' }, 'A'), /^Error: A is required$/);
    assert.equal(optional({ A: ' x ' }, 'A'), 'x');
    assert.equal(optional({ A: ' ' }, 'A'), undefined);
  });

  test('numbers and integers within bounds, else the fallback when unset', () => {
    assert.equal(number({ N: ' 0.5 ' }, 'N', 1, 0, 1), 0.5);
    assert.equal(number({}, 'N', 7, 0, 10), 7);
    assert.throws(() => number({ N: '11' }, 'N', 1, 0, 10), /N must be a number from 0 to 10, not "11"/);
    assert.throws(() => number({ N: 'soon' }, 'N', 1, 0, 10), /N must be a number/);
    assert.equal(integer({ I: '3' }, 'I', 1, 1, 5), 3);
    assert.throws(() => integer({ I: '2.5' }, 'I', 1, 1, 5), /I must be an integer from 1 to 5, not "2.5"/);
    assert.throws(() => integer({ I: '0' }, 'I', 1, 1, 5), /I must be an integer/);
  });

  test('flags and lists', () => {
    assert.equal(flag({ F: 'YES' }, 'F', false), true);
    assert.equal(flag({ F: '0' }, 'F', true), false);
    assert.equal(flag({}, 'F', true), true);
    assert.throws(() => flag({ F: 'maybe' }, 'F', false), /F must be true or false, not "maybe"/);
    assert.deepEqual(list({ L: ' a, b ,,c ' }, 'L'), ['a', 'b', 'c']);
    assert.throws(() => list({}, 'L'), /L is required/);
  });
});
