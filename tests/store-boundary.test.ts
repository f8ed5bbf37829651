// The readers for values the query does not type (issue 17, "a typed store boundary"):
// RETURNING rows from Store.atomically and the JSON text columns Parley writes itself.
import { describe, expect, it } from 'vitest';
import { numberOf, textOf, textOrNullOf } from '../src/domain/core/returned.js';
import { jsonObject, jsonStrings, jsonValue } from '../src/domain/core/json-text.js';
import { returnedEvent, storedEvent } from '../src/domain/events/stored-events.js';

describe('RETURNING columns are checked, not asserted', () => {
  const row = { id: 'm1', n: 3, none: null, big: 10n };
  it('reads a column of the type asked for', () => {
    expect(textOf(row, 'id')).toBe('m1');
    expect(numberOf(row, 'n')).toBe(3);
    expect(textOrNullOf(row, 'none')).toBeNull();
    expect(textOrNullOf(row, 'missing')).toBeNull();
  });
  it('throws on a column of another type (a bug in the statement)', () => {
    expect(() => textOf(row, 'n')).toThrow('column n is not text');
    expect(() => numberOf(row, 'id')).toThrow('column id is not a number');
    expect(() => numberOf(row, 'big')).toThrow(TypeError);
    expect(() => textOrNullOf(row, 'n')).toThrow(TypeError);
    expect(() => textOf(row, 'none')).toThrow(TypeError);
  });
  it('an events RETURNING row becomes the event the bus publishes (no audience key: the list does not return it)', () => {
    const e = storedEvent(returnedEvent({ id: 7, type: 'message.created', inbox_id: 'i1', conversation_id: null, user_id: null, payload: '{"a":1}', created_at: 5 }));
    expect(e).toEqual({ id: 7, type: 'message.created', inboxId: 'i1', conversationId: null, userId: null, payload: { a: 1 }, createdAt: 5 });
    expect('audience' in e).toBe(false);
    expect(() => returnedEvent({ id: '7', type: 'x', payload: '{}', created_at: 5 })).toThrow('column id is not a number');
  });
  it('a stored row with an audience column reads it as the list of inbox ids', () => {
    const base = { id: 1, type: 'contact.updated', inbox_id: null, conversation_id: null, user_id: null, payload: '{}', created_at: 1 };
    expect(storedEvent({ ...base, audience: '["i1","i2"]' }).audience).toEqual(['i1', 'i2']);
    expect(storedEvent({ ...base, audience: null }).audience).toBeNull();
  });
});

describe('our own JSON text columns', () => {
  it('jsonObject: an object, {} for NULL or anything else; bad JSON still throws', () => {
    expect(jsonObject('{"sla":{"firstReplyMinutes":5}}')).toEqual({ sla: { firstReplyMinutes: 5 } });
    expect(jsonObject(null)).toEqual({});
    expect(jsonObject('[1,2]')).toEqual({});
    expect(jsonObject('null')).toEqual({});
    expect(() => jsonObject('{')).toThrow(SyntaxError);
  });
  it('jsonStrings: the string items of a list, [] for NULL or not a list', () => {
    expect(jsonStrings('["message.created","conversation.updated"]')).toEqual(['message.created', 'conversation.updated']);
    expect(jsonStrings('["a",1,null,"b"]')).toEqual(['a', 'b']);
    expect(jsonStrings('{"a":1}')).toEqual([]);
    expect(jsonStrings(undefined)).toEqual([]);
  });
  it('jsonValue: any shape, typed unknown', () => {
    expect(jsonValue('[{"role":"user","content":"hi"}]')).toEqual([{ role: 'user', content: 'hi' }]);
  });
});
