import { positionedFrame } from '../../protocol/index.js';
import { parseFramePosition } from './frame-position.js';

describe('parseFramePosition', () => {
  it.each(['room:chat:general', 'user:alice', 'all', 'room:"quoted" \\ and é', 'room:{x}'])(
    'reads what positionedFrame wrote: %j',
    (stream) => {
      const position = { e: 'k3x9q0ab', o: 9_007_199_254_740_991 };
      const frame = positionedFrame('{"event":"m","data":{"o":2,"e":"x"}}', stream, position);
      expect(parseFramePosition(frame)).toEqual({ stream, ...position });
    },
  );

  it.each([
    '',
    '{"event":"m","data":1}',
    ' {"o":1,"e":"abc","s":"room:a","event":"m"}',
    '{"o":1,"e":"abc","s":"room:a","event":"m"}x'.slice(0, 30),
    '{"o":01,"e":"abc","s":"room:a","event":"m"}',
    '{"o":-1,"e":"abc","s":"room:a","event":"m"}',
    '{"o":9007199254740993,"e":"abc","s":"room:a","event":"m"}',
    '{"o":1,"e":"","s":"room:a","event":"m"}',
    `{"o":1,"e":"${'a'.repeat(17)}","s":"room:a","event":"m"}`,
    '{"o":1,"e":"abc","s":"origin:a","event":"m"}',
    '{"o":1,"e":"abc","s":"room:","event":"m"}',
    '{"o":1,"e":"abc","s":"room:a\\x","event":"m"}',
    `{"o":1,"e":"abc","s":"room:${'a'.repeat(1100)}","event":"m"}`,
  ])('refuses a frame that does not start with a well-formed position: %j', (frame) => {
    expect(parseFramePosition(frame)).toBeUndefined();
  });
});
