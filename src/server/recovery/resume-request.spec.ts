import { parseResumeRequest } from './resume-request.js';

const SESSION = 'Qm9vdHN0cmFwLXNlc3Npb2'; // 22 base64url characters: 16 bytes

describe('parseResumeRequest', () => {
  it('reads a session and its positions', () => {
    const request = parseResumeRequest(
      {
        session: SESSION,
        streams: { 'room:chat:general': { e: 'k3x9q0ab', o: 42 }, 'user:alice': { e: 'p0', o: 0 } },
      },
      10,
    );
    expect(request).toEqual({
      session: SESSION,
      streams: { 'room:chat:general': { e: 'k3x9q0ab', o: 42 }, 'user:alice': { e: 'p0', o: 0 } },
    });
  });

  it('reads {} as the start of a new session', () => {
    expect(parseResumeRequest({}, 10)).toEqual({ streams: {} });
    expect(parseResumeRequest({ streams: { all: { e: 'x', o: 3 } } }, 10)).toEqual({
      streams: { all: { e: 'x', o: 3 } },
    });
  });

  it.each([
    ['not an object', 'resume'],
    ['null', null],
    ['an array', [SESSION]],
    ['a short session id', { session: 'abc' }],
    ['a session id with other characters', { session: 'Qm9vdHN0cmFwLXNlc3Npb/' }],
    ['a numeric session', { session: 12 }],
    ['streams as an array', { streams: [] }],
    ['a stream of an unknown kind', { streams: { 'game:1': { e: 'x', o: 1 } } }],
    ['a prototype key', JSON.parse('{"streams":{"__proto__":{"e":"x","o":1}}}')],
    ['a stream name too long', { streams: { [`room:${'r'.repeat(300)}`]: { e: 'x', o: 1 } } }],
    ['a negative offset', { streams: { all: { e: 'x', o: -1 } } }],
    ['a fractional offset', { streams: { all: { e: 'x', o: 1.5 } } }],
    ['an offset beyond safe integers', { streams: { all: { e: 'x', o: 2 ** 60 } } }],
    ['an offset as a string', { streams: { all: { e: 'x', o: '4' } } }],
    ['an epoch too long', { streams: { all: { e: 'x'.repeat(17), o: 1 } } }],
    ['an epoch with a quote', { streams: { all: { e: 'x"', o: 1 } } }],
    ['a position that is not an object', { streams: { all: 4 } }],
  ])('refuses %s', (_what, data) => {
    expect(parseResumeRequest(data, 10)).toBeUndefined();
  });

  it('refuses more streams than a session may follow', () => {
    const streams = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`room:r${i}`, { e: 'x', o: i }]),
    );
    expect(parseResumeRequest({ streams }, 10)).toBeUndefined();
    delete streams['room:r10'];
    expect(Object.keys(parseResumeRequest({ streams }, 10)!.streams)).toHaveLength(10);
  });
});
