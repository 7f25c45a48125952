import 'reflect-metadata';
import { startDemo, type RunningApp } from '../support/demo-app.js';
import { clientTextFrame, Opcode, parseFrames, splitHead } from '../support/frames.js';
import {
  closeScoped,
  expectAlive,
  open,
  sign,
  userIdOf,
  type App,
} from '../support/handshake-kit.js';
import { startProbeApp } from '../support/probe-app.js';
import { parseResponse, rawExchange, upgradeRequest } from '../support/raw-http.js';

/** Handshake on the wire: malformed upgrade requests, and a message in the upgrade's TCP write. */

let probe: App;
let demo: RunningApp;

beforeAll(async () => {
  probe = await startProbeApp();
  demo = await startDemo();
});

afterEach(closeScoped);

afterAll(async () => {
  await probe?.app.close();
  await demo?.close();
});

// ---------------------------------------------------------------------------------------------

describe('A9: malformed upgrades', () => {
  const auth = () => ({ Authorization: `Bearer ${sign({ sub: 'u-a9' })}` });

  it.each<{ name: string; status: number; code: string; request: () => string }>([
    {
      name: 'Sec-WebSocket-Version: 12',
      status: 400,
      code: 'BAD_REQUEST',
      request: () => upgradeRequest('/ws', { ...auth(), 'Sec-WebSocket-Version': '12' }),
    },
    {
      name: 'a missing Sec-WebSocket-Key',
      status: 400,
      code: 'BAD_REQUEST',
      request: () => upgradeRequest('/ws', { ...auth(), 'Sec-WebSocket-Key': undefined }),
    },
    {
      name: 'a POST upgrade',
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      request: () => upgradeRequest('/ws', auth(), 'POST'),
    },
    {
      name: 'Upgrade: foo',
      status: 400,
      code: 'BAD_REQUEST',
      request: () => upgradeRequest('/ws', { ...auth(), Upgrade: 'foo' }),
    },
    {
      name: 'an unknown path',
      status: 404,
      code: 'NOT_FOUND',
      request: () => upgradeRequest('/nowhere', auth()),
    },
  ])('answers $name with $status, and stays alive', async ({ status, code, request }) => {
    const received = await rawExchange(probe.port, request());
    const response = parseResponse(received.toString('latin1'));
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ error: { code, message: expect.any(String) } });
    if (status === 405) expect(response.headers['allow']).toBe('GET');
    await expectAlive(probe.baseUrl);
  });
});

describe('a message in the same TCP write as the handshake', () => {
  it("is handled as the token's user, never as anonymous", async () => {
    const token = sign({ sub: 'u-same-write' });
    const head = upgradeRequest('/ws', {
      Authorization: `Bearer ${token}`,
      'Sec-WebSocket-Protocol': 'realtime.v1',
    });
    const payload = Buffer.concat([
      Buffer.from(head, 'latin1'),
      clientTextFrame({ event: 'probe:whoami', id: 1 }),
    ]);

    const received = await rawExchange(probe.port, payload, (bytes) => {
      const split = splitHead(bytes);
      if (!split) return false;
      return !split.head.startsWith('HTTP/1.1 101') || parseFrames(split.body).frames.length > 0;
    });

    const split = splitHead(received);
    expect(split?.head).toMatch(/^HTTP\/1\.1 101 /);
    const [frame] = parseFrames(split?.body ?? Buffer.alloc(0)).frames;
    expect(frame).toMatchObject({ fin: true, opcode: Opcode.TEXT, masked: false });
    expect(JSON.parse(frame?.payload.toString() ?? 'null')).toEqual({
      id: 1,
      data: {
        userId: 'u-same-write',
        sub: 'u-same-write',
        connectionId: expect.any(String),
        sameSocket: true,
      },
    });
  });
});

describe('after everything', () => {
  it('both shared servers are alive', async () => {
    await expectAlive(probe.baseUrl);
    const socket = await open(probe.baseUrl, { token: sign({ sub: 'u-last' }) });
    expect(await userIdOf(socket)).toBe('u-last');
    await expectAlive(demo.baseUrl);
  });
});
