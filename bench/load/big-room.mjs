// Big room under churn (issue 15): MEMBERS clients join one chat room of the demo at RATE joins
// per second, from WORKERS processes, while one more client measures `$ping` round trips. Reports
// the ping p50/p99/max, the clients closed (none expected) and what each member received.
//
//   npm run build && node bench/load/big-room.mjs [members=5000] [rate=500] [heartbeatMs=1000]
//   (PROFILE_DIR=dir to have the demo write a CPU profile there)
//
// The demo runs as `npm start` runs it (dist/demo/main.js, in-process broker, recovery on).
import { fork, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
const WORKERS = 4;

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
function token(sub) {
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub, name: sub, exp: 4e9 })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

function open(url, sub) {
  const ws = new WebSocket(url, ['realtime.v1', `bearer.${token(sub)}`]);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** A worker: opens its share of members at its share of the rate, each joining at once. */
async function worker() {
  const { url, from, count, perSecond } = JSON.parse(process.argv[3]);
  const closes = {};
  let frames = 0;
  let joined = 0;
  const sockets = [];
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    // Paced by the clock, not by sleeps per socket: the i-th join is due at i / rate seconds.
    const due = started + (i * 1000) / perSecond;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const ws = await open(url, `m${from + i}`);
    if (i === count - 1) process.send({ openedAfterMs: Date.now() - started });
    sockets.push(ws);
    ws.on('message', (raw) => {
      frames++;
      if (raw.toString().startsWith('{"id":1,')) joined++;
    });
    ws.on('close', (code) => (closes[code] = (closes[code] ?? 0) + 1));
    ws.send(JSON.stringify({ event: 'chat:join', data: { room: 'big' }, id: 1 }));
  }
  while (joined < count) await new Promise((r) => setTimeout(r, 50));
  process.send({ joinedAfterMs: Date.now() - started });
  await once(process, 'message');
  process.send({ frames, closes, open: sockets.filter((s) => s.readyState === 1).length });
  for (const s of sockets) s.terminate();
  process.exit(0);
}

async function main() {
  const [members = 5000, rate = 500, heartbeatMs = 1000] = process.argv.slice(2).map(Number);
  // PROFILE_DIR=dir: the demo writes a CPU profile there when it stops.
  const profile = process.env.PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`]
    : [];
  const demo = spawn(process.execPath, [...profile, 'dist/demo/main.js'], {
    env: {
      ...process.env,
      PORT: '0',
      NO_COLOR: '1',
      JWT_SECRET: SECRET,
      HEARTBEAT_INTERVAL_MS: String(heartbeatMs),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let text = '';
  const base = await new Promise((resolve) =>
    demo.stdout.on('data', (chunk) => {
      text += chunk;
      const match = /Demo on (http:\/\/localhost:\d+)/.exec(text);
      if (match) resolve(match[1]);
    }),
  );
  const url = `${base.replace('http', 'ws')}/ws`;

  // One `$ping` in flight, one every 50 ms at most (the default rate limit is 50/s).
  const pinger = await open(url, 'pinger');
  const rtts = [];
  let errors = 0;
  let pinging = true;
  let sentAt = 0;
  pinger.on('message', (raw) => {
    const rtt = performance.now() - sentAt;
    if ('error' in JSON.parse(raw.toString())) errors++;
    rtts.push(rtt);
    if (pinging) setTimeout(ping, Math.max(0, 50 - rtt));
  });
  const ping = () => {
    sentAt = performance.now();
    pinger.send(JSON.stringify({ event: '$ping', id: rtts.length + 1 }));
  };
  ping();

  const share = Math.ceil(members / WORKERS);
  const workers = [];
  for (let w = 0; w < WORKERS; w++) {
    const job = { url, from: w * share, count: share, perSecond: rate / WORKERS };
    workers.push(fork(fileURLToPath(import.meta.url), ['worker', JSON.stringify(job)]));
  }
  const opened = await Promise.all(workers.map(async (w) => (await once(w, 'message'))[0]));
  const joinedAfter = await Promise.all(workers.map(async (w) => (await once(w, 'message'))[0]));
  // Two more seconds: the last diffs and a heartbeat or two.
  await new Promise((r) => setTimeout(r, 2000));
  pinging = false;
  const reports = await Promise.all(
    workers.map(async (w) => {
      w.send('report');
      return (await once(w, 'message'))[0];
    }),
  );
  pinger.terminate();
  await Promise.all(workers.map((w) => w.exitCode ?? once(w, 'exit')));
  // A graceful stop, so that a profile asked for with NODE_OPTIONS=--cpu-prof is written.
  demo.kill('SIGTERM');
  await once(demo, 'exit');

  const sorted = rtts.sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
  const closes = {};
  for (const r of reports)
    for (const [code, n] of Object.entries(r.closes)) closes[code] = (closes[code] ?? 0) + n;
  const frames = reports.reduce((sum, r) => sum + r.frames, 0);
  console.log(
    JSON.stringify(
      {
        members: share * WORKERS,
        joinsPerSecond: rate,
        heartbeatMs,
        openedWithinMs: Math.max(...opened.map((j) => j.openedAfterMs)),
        joinedWithinMs: Math.max(...joinedAfter.map((j) => j.joinedAfterMs)),
        pings: sorted.length,
        pingErrors: errors,
        pingMs: { p50: at(0.5), p99: at(0.99), max: sorted.at(-1).toFixed(1) },
        closed: closes,
        stillOpen: reports.reduce((sum, r) => sum + r.open, 0),
        framesPerMember: +(frames / (share * WORKERS)).toFixed(1),
      },
      null,
      2,
    ),
  );
}

if (process.argv[2] === 'worker') await worker();
else await main();
