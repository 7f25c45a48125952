import { exceedsDepth } from './parse-envelope.js';

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
