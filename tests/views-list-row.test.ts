// The list reads its columns as value arrays in LIST_FIELDS order and turns each into a row
// with one object literal (speed); the literal's positions must follow the SELECT list.
import { describe, expect, it } from 'vitest';
import { conversationRowFromValues, LIST_NAMES } from '../src/domain/core/views.js';

describe('conversationRowFromValues', () => {
  it('names every selected column at its position, and nothing else', () => {
    const values = LIST_NAMES.map((_, i) => `value ${i}`);
    expect(conversationRowFromValues(values)).toEqual(Object.fromEntries(LIST_NAMES.map((name, i) => [name, `value ${i}`])));
  });
});
