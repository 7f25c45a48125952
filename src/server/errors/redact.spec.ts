import { redact } from './redact.js';

const jwt =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('redact', () => {
  it('removes JWTs, bearer values and access_token parameters', () => {
    const text = `failed for ${jwt}; Authorization: Bearer abc.def; bearer.${jwt} /ws?access_token=xyz&x=1`;
    const out = redact(text);
    expect(out).not.toContain(jwt);
    expect(out).not.toContain('abc.def');
    expect(out).not.toContain('xyz');
    expect(out).toContain('access_token=[REDACTED]&x=1');
  });

  it('leaves ordinary text alone', () => {
    expect(redact('Handler for "chat:send" failed')).toBe('Handler for "chat:send" failed');
  });
});
