import { exceedsDepth, parseClientMessage, parseObject } from './parse-envelope.js';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('exceedsDepth', () => {
  it('measures nesting of objects and arrays', () => {
    expect(exceedsDepth(1, 1)).toBe(false);
    expect(exceedsDepth(nested(3), 3)).toBe(false);
    expect(exceedsDepth(nested(4), 3)).toBe(true);
    expect(exceedsDepth([[[1]]], 3)).toBe(false);
    expect(exceedsDepth([[[[1]]]], 3)).toBe(true);
  });

  it('handles 100 000 levels without a stack overflow', () => {
    expect(exceedsDepth(nested(100_000), 32)).toBe(true);
  });
});

describe('parseClientMessage', () => {
  it('accepts a well-formed message', () => {
    expect(parseClientMessage('{"event":"a","data":{"x":1},"id":7}', 32)).toEqual({
      ok: true,
      event: 'a',
      data: { x: 1 },
      id: 7,
    });
  });

  it('names the id and event it read before the failure, so the error can be a reply', () => {
    expect(parseClientMessage('nope', 32)).toMatchObject({ ok: false, id: undefined });
    expect(parseClientMessage('[1]', 32)).toMatchObject({ ok: false, reason: /object/ });
    expect(parseClientMessage('{"event":"a","id":1.5}', 32)).toMatchObject({
      ok: false,
      id: undefined,
      reason: /"id"/,
    });
    expect(parseClientMessage('{"event":"","id":3}', 32)).toMatchObject({
      ok: false,
      id: 3,
      event: undefined,
    });
    expect(parseClientMessage('{"event":"e","id":"x","data":[[[1]]]}', 2)).toEqual({
      ok: false,
      id: 'x',
      event: 'e',
      reason: '"data" nests deeper than 2 levels',
    });
  });
});

describe('parseObject', () => {
  it('returns JSON objects and nothing else', () => {
    expect(parseObject('{"a":1}')).toEqual({ a: 1 });
    for (const input of ['[1]', 'null', '1', 'bad', Buffer.from('{}'), undefined]) {
      expect(parseObject(input)).toBeUndefined();
    }
  });
});
