import { CloseCode } from '../../protocol/index.js';
import { InboundLimits } from './inbound-limits.js';

const options = {
  messagesPerSecond: 10,
  messageBurst: 2,
  maxBadMessages: 2,
  rateLimitedBeforeClose: 1,
  windowMs: 1000,
};

describe('InboundLimits', () => {
  it('admits a burst, then the refill rate', () => {
    const limits = new InboundLimits(options, 0);
    expect([limits.admit(0), limits.admit(0), limits.admit(0)]).toEqual([true, true, false]);
    expect(limits.admit(100)).toBe(true);
  });

  it('returns a 1008 verdict once malformed messages pass the limit within the window', () => {
    const limits = new InboundLimits(options, 0);
    expect(limits.malformed(10)).toBeUndefined();
    expect(limits.malformed(20)).toBeUndefined();
    expect(limits.malformed(30)).toEqual({
      code: CloseCode.POLICY_VIOLATION,
      reason: 'Too many malformed messages',
    });
    // A new window starts the count again.
    expect(limits.malformed(2000)).toBeUndefined();
  });

  it('returns a 4429 verdict once rate-limited answers pass the limit within the window', () => {
    const limits = new InboundLimits(options, 0);
    expect(limits.rateLimited(10)).toBeUndefined();
    expect(limits.rateLimited(20)).toMatchObject({ code: CloseCode.RATE_EXCEEDED });
  });
});
