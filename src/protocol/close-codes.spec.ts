import {
  CloseCode,
  MAX_CLOSE_REASON_BYTES,
  shouldReconnect,
  truncateCloseReason,
} from './close-codes.js';

describe('truncateCloseReason', () => {
  it('keeps a reason that fits', () => {
    const fits = 'x'.repeat(MAX_CLOSE_REASON_BYTES);
    expect(truncateCloseReason(fits)).toBe(fits);
  });

  it('cuts a long reason to the limit on a character boundary, ending with ...', () => {
    const cut = truncateCloseReason('é'.repeat(100)); // 200 bytes
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    expect(cut).toBe(`${'é'.repeat(60)}...`);
    expect(cut).not.toContain('\uFFFD');
  });
});

describe('shouldReconnect', () => {
  it('follows protocol section 5, the client code 4000 included', () => {
    expect(shouldReconnect(CloseCode.CLIENT_RECONNECTING)).toBe(true);
    expect(shouldReconnect(CloseCode.TOKEN_EXPIRED)).toBe(true);
    expect(shouldReconnect(CloseCode.REVOKED)).toBe(false);
    expect(shouldReconnect(CloseCode.GOING_AWAY)).toBe(true);
    expect(shouldReconnect(CloseCode.NORMAL)).toBe(false);
    expect(shouldReconnect(CloseCode.POLICY_VIOLATION)).toBe(false);
  });
});
