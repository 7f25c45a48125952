import { NO_TARGET, type Delivery } from '../delivery.js';
import { decodeDelivery, encodeDelivery } from './redis-wire.js';

const target = { ...NO_TARGET, rooms: ['r'], except: ['c1'] };

describe('redis wire format', () => {
  it('round-trips messages and disconnects, with the frame unescaped', () => {
    const message: Delivery = {
      kind: 'message',
      target,
      frame: '{"event":"x","data":"a\\nb \\"q\\""}',
      volatile: true,
    };
    const encoded = encodeDelivery('inst-1', message);
    expect(encoded.endsWith(message.frame)).toBe(true);
    expect(decodeDelivery(encoded)).toEqual({ instanceId: 'inst-1', delivery: message });

    const disconnect: Delivery = { kind: 'disconnect', target, code: 4500, reason: 'Revoked' };
    expect(decodeDelivery(encodeDelivery('inst-2', disconnect))).toEqual({
      instanceId: 'inst-2',
      delivery: disconnect,
    });
  });

  it('round-trips joins and leaves of a room', () => {
    for (const kind of ['join', 'leave'] as const) {
      const membership: Delivery = { kind, target, room: 'lobby' };
      expect(decodeDelivery(encodeDelivery('inst-3', membership))).toEqual({
        instanceId: 'inst-3',
        delivery: membership,
      });
    }
  });

  it('carries the sequence number of a publication sent on several channels', () => {
    const message: Delivery = { kind: 'message', target, frame: '{"event":"x"}', volatile: false };
    expect(decodeDelivery(encodeDelivery('inst-1', message, 7))).toEqual({
      instanceId: 'inst-1',
      delivery: message,
      seq: 7,
    });
  });

  it.each([
    'hello',
    '',
    'rt2\n',
    // The one-channel format of earlier versions is not read.
    'rt1\n{"i":"x","k":"m","t":{"all":true,"rooms":[],"users":[],"connections":[],"except":[],"exceptUsers":[]}}\n{}',
    'rt2 x\n{"k":"m","q":"1","t":{"all":true,"rooms":[],"users":[],"connections":[],"except":[],"exceptUsers":[]}}\n{}',
    'rt2 x\nnot json\n{}',
    'rt2 x\n{}',
    `rt2 ${'x'.repeat(65)}\n{"k":"m","t":{"all":true,"rooms":[],"users":[],"connections":[],"except":[],"exceptUsers":[]}}\n{}`,
    'rt2 \n{"k":"m","t":{}}\n{}',
    'rt2 x\n{"k":"m","t":{"all":true}}\n{}',
    'rt2 x\n{"k":"z","t":{"all":false,"rooms":[],"users":[],"connections":[],"except":[],"exceptUsers":[]}}\n{}',
    'rt2 x\n{"k":"m","t":{"all":false,"rooms":[],"users":[],"connections":[],"except":[],"exceptUsers":[]}}\n',
    'rt2 x\n{"k":"d","t":{"all":false,"rooms":[],"users":[],"connections":[],"except":[],"exceptUsers":[]},"c":"x"}\n',
    'rt2 x\n{"k":"j","t":{"all":false,"rooms":[],"users":["u"],"connections":[],"except":[],"exceptUsers":[]}}\n',
  ])('ignores a foreign or malformed message: %j', (message) => {
    expect(decodeDelivery(message)).toBeUndefined();
  });
});
