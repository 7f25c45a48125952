import { RealtimeHealth } from '../../src/server/index.js';
import { startDemo, type RunningApp } from '../support/demo-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Issue 17, health: `GET /health/live` and `GET /health/ready` (the module's
 * `RealtimeHealthController`, mounted by the demo) tell an orchestrator what to do: ready while
 * serving, not ready from the start of a shutdown (the drain still runs), alive throughout.
 */
describe('health probes', () => {
  let demo: RunningApp | undefined;
  afterEach(async () => {
    await demo?.close().catch(() => undefined);
    demo = undefined;
  });

  it('is live and ready while serving, with the connection count', async () => {
    demo = await startDemo();
    const socket = await demo.connect({ sub: 'u1' });
    const live = await fetch(`${demo.baseUrl}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ alive: true });
    const ready = await fetch(`${demo.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      reasons: [],
      connections: 1,
      maxConnections: 10000,
      broker: { kind: 'in-process', ready: true },
    });
    await socket.close();
  });

  it('is not ready from the start of a shutdown, while the drain runs, and still live', async () => {
    demo = await startDemo({ shutdownDrainMs: 5000 });
    const socket = await demo.connect({ sub: 'u1' });
    // A client that reads nothing more: the drain waits for its close until the deadline.
    (socket.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const health = demo.app.get(RealtimeHealth);
    const closing = demo.close();
    await waitFor(() => !health.readiness().ready, 'the shutdown to begin');
    const ready = await fetch(`${demo.baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, reasons: ['draining'] });
    expect((await fetch(`${demo.baseUrl}/health/live`)).status).toBe(200);
    socket.ws.terminate();
    await closing;
    demo = undefined;
  });
});
