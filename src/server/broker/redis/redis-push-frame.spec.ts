import { NO_TARGET, type Delivery } from '../delivery.js';
import { isPushFrame } from './redis-push-frame.js';
import { decodeDelivery, encodeDelivery } from './redis-wire.js';

const head = `rt2 other\n{"k":"m","t":${JSON.stringify({ ...NO_TARGET, all: true })}}\n`;

describe('frames read from Redis', () => {
  it.each([
    '{"event":"chat:message","data":{"text":"hi"}}',
    '{"event":"x"}',
    '{"event":"x","data":null}',
    '{"event":"x","data":{"__proto__":"nested data is the app\'s"}}',
  ])('a push passes: %j', (frame) => {
    expect(isPushFrame(frame, false)).toBe(true);
    expect(decodeDelivery(head + frame)?.delivery).toMatchObject({ kind: 'message', frame });
  });

  it.each([
    'THIS IS NOT JSON <script>',
    '{"event":"x"} trailing',
    'null',
    '42',
    '"event"',
    '[{"event":"x"}]',
    '{}',
    '{"data":1}',
    '{"event":""}',
    '{"event":7,"data":1}',
    // Shaped like a reply: it would answer a client's pending request.
    '{"id":7,"event":"x","data":1}',
    '{"event":"x","error":{"code":"X","message":"m"}}',
    '{"__proto__":{"polluted":true}}',
    '{"event":"x","__proto__":{"polluted":true}}',
    '{"event":"x","\\u005f_proto__":{"polluted":true}}',
    '{"o":1,"e":"abc","s":"room:a","event":"x"}',
  ])('anything else is not delivered: %j', (frame) => {
    expect(isPushFrame(frame, false)).toBe(false);
    expect(decodeDelivery(head + frame)).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a positioned frame may carry its position, nothing more', () => {
    expect(isPushFrame('{"o":1,"e":"abc","s":"room:a","event":"x","data":2}', true)).toBe(true);
    expect(isPushFrame('{"o":1,"e":"abc","s":"room:a","event":"x","id":2}', true)).toBe(false);
    expect(isPushFrame('{"o":1,"e":"abc","s":"room:a","data":2}', true)).toBe(false);
  });

  it('a command has no body: one with a body is not obeyed', () => {
    const disconnect: Delivery = { kind: 'disconnect', target: NO_TARGET, code: 4500, reason: 'r' };
    const encoded = encodeDelivery('other', disconnect);
    expect(decodeDelivery(encoded)?.delivery).toEqual(disconnect);
    expect(decodeDelivery(`${encoded}{"event":"x"}`)).toBeUndefined();
  });
});
