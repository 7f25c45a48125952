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

  it.each([
    'hello',
    '',
    'rt1\n',
    'rt1\nnot json\n{}',
    'rt1\n{"i":1,"k":"m","t":{}}\n{}',
    'rt1\n{"i":"x","k":"m","t":{"all":true}}\n{}',
    'rt1\n{"i":"x","k":"z","t":{"all":false,"rooms":[],"users":[],"connections":[],"except":[],"exceptUsers":[]}}\n{}',
    'rt1\n{"i":"x","k":"m","t":{"all":false,"rooms":[],"users":[],"connections":[],"except":[],"exceptUsers":[]}}\n',
    'rt1\n{"i":"x","k":"d","t":{"all":false,"rooms":[],"users":[],"connections":[],"except":[],"exceptUsers":[]},"c":"x"}\n',
  ])('ignores a foreign or malformed message: %j', (message) => {
    expect(decodeDelivery(message)).toBeUndefined();
  });
});
