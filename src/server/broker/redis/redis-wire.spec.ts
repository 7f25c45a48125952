import { NO_TARGET, type Delivery } from '../delivery.js';
import { positionedFrame } from '../../../protocol/index.js';
import { decodeDelivery, encodeDelivery, encodePositioned, wirePrefix } from './redis-wire.js';

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
    // Dated by its publisher: the receiver's delivery lag (metrics).
    const sentAt = expect.any(Number) as number;
    expect(decodeDelivery(encoded)).toEqual({
      instanceId: 'inst-1',
      delivery: { ...message, sentAt },
    });

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
      delivery: { ...message, sentAt: expect.any(Number) as number },
      seq: 7,
    });
  });

  it('decodes a positioned publication with its position, read from the frame', () => {
    const position = { stream: 'room:chat:general', e: 'k3x9q0ab', o: 42 };
    const frame = positionedFrame('{"event":"m","data":{"o":1}}', position.stream, position);
    const exceptRooms = ['a'];
    const encoded = encodePositioned('inst-1', { target: { ...target, exceptRooms }, frame }, 9);
    // Not skipped by its publisher as its own: it does not start with the own prefix.
    expect(encoded.startsWith(wirePrefix('inst-1'))).toBe(false);
    expect(encoded).toMatch(/^rt2 inst-1 p\n\{"k":"m","q":9,"w":\d+,"t":/);
    expect(decodeDelivery(encoded)).toEqual({
      instanceId: 'inst-1',
      delivery: {
        kind: 'message',
        target: { ...target, exceptRooms },
        frame,
        volatile: false,
        position,
        sentAt: expect.any(Number) as number,
      },
      echo: 9,
    });
  });

  const positionedHead = `rt2 x p\n{"k":"m","q":1,"t":{"all":true,"rooms":[],"users":[],"connections":[],"except":[],"exceptUsers":[]}}\n`;

  it.each([
    '{"event":"m"}',
    '{"o":0,"e":"abc","s":"room:a","event":"m"}',
    '{"o":1,"e":"a b","s":"room:a","event":"m"}',
    '{"o":1,"e":"abc","s":"chat","event":"m"}',
    '{"o":1,"e":"abc","s":"room:\n","event":"m"}',
    '{"o":12345678901234567,"e":"abc","s":"room:a","event":"m"}',
    '{"e":"abc","o":1,"s":"room:a","event":"m"}',
    '{"o":1,"e":"abc","s":"room:a"}',
  ])('ignores a positioned publication whose frame does not start with a position: %j', (frame) => {
    expect(decodeDelivery(positionedHead + frame)).toBeUndefined();
  });

  it('ignores a positioned publication without its number, or not a message', () => {
    const frame = '{"o":1,"e":"abc","s":"room:a","event":"m"}';
    expect(decodeDelivery(positionedHead.replace('"q":1,', '') + frame)).toBeUndefined();
    expect(decodeDelivery(positionedHead.replace('"m"', '"j"') + frame)).toBeUndefined();
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
