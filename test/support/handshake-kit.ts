import type { INestApplication } from '@nestjs/common';
import jwt, { type SignOptions } from 'jsonwebtoken';
import { TEST_SECRET, type RunningApp } from './demo-app.js';
import { startProbeApp } from './probe-app.js';
import { parseResponse, rawExchange, type RawResponse } from './raw-http.js';
import {
  expectRefused,
  TestSocket,
  type ConnectOptions,
  type UpgradeRefused,
} from './ws-client.js';

/**
 * Shared tools of the handshake e2e suites (test/e2e/handshake-*.e2e-spec.ts): tokens, sockets
 * and apps closed after each test, and the refusal assertions.
 *
 * Each suite file registers `afterEach(closeScoped)` so the sockets and apps it opened with
 * `open` and `scoped` are closed after every test.
 */

// ---------------------------------------------------------------------------------------------
// Tokens

export const nowSec = (): number => Math.floor(Date.now() / 1000);

/** An HS256 token signed with the test secret, valid for an hour unless `claims` say otherwise. */
export function sign(claims: Record<string, unknown>, options: SignOptions = {}): string {
  return jwt.sign({ exp: nowSec() + 3600, ...claims }, TEST_SECRET, {
    algorithm: 'HS256',
    ...options,
  });
}

export const b64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

export function partsOf(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}

/** The same token with one bit of its signature flipped. */
export function flipSignatureBit(token: string): string {
  const [header, payload, signature] = partsOf(token);
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** The same header and signature over an edited payload. */
export function editPayload(token: string, edit: Record<string, unknown>): string {
  const [header, payload, signature] = partsOf(token);
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  return `${header}.${b64url({ ...claims, ...edit })}.${signature}`;
}

// ---------------------------------------------------------------------------------------------
// Apps, sockets and assertions

export interface App {
  app: INestApplication;
  port: number;
  baseUrl: string;
}

const sockets: TestSocket[] = [];
const extraApps: { close(): Promise<void> }[] = [];

export async function open(baseUrl: string, options: ConnectOptions = {}): Promise<TestSocket> {
  const socket = await TestSocket.connect(baseUrl, options);
  sockets.push(socket);
  return socket;
}

/** Starts an app that the next `afterEach` closes. */
export async function scoped<T extends { app: INestApplication } | RunningApp>(
  start: Promise<T>,
): Promise<T> {
  const started = await start;
  extraApps.push({ close: () => started.app.close() });
  return started;
}

/** Closes every socket opened with `open` and every app started with `scoped`: the `afterEach`. */
export async function closeScoped(): Promise<void> {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  await Promise.all(extraApps.splice(0).map((app) => app.close()));
}

export async function userIdOf(socket: TestSocket): Promise<unknown> {
  const reply = await socket.request('probe:whoami');
  return (reply['data'] as { userId?: unknown } | undefined)?.userId;
}

export async function expectRefusal(
  baseUrl: string,
  options: ConnectOptions,
  status: number,
  code: string,
): Promise<UpgradeRefused> {
  const refusal = await expectRefused(baseUrl, options);
  expect({ status: refusal.status, body: refusal.json() }).toEqual({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
  return refusal;
}

export async function expectUnauthorized(
  baseUrl: string,
  options: ConnectOptions,
): Promise<UpgradeRefused> {
  const refusal = await expectRefusal(baseUrl, options, 401, 'UNAUTHORIZED');
  expect(refusal.headers['www-authenticate']).toBe('Bearer');
  return refusal;
}

/** "Alive": the same server accepts a fresh valid connection and serves it. */
export async function expectAlive(baseUrl: string, path = '/ws'): Promise<void> {
  const socket = await open(baseUrl, { token: sign({ sub: 'u-alive' }), path });
  const reply = await socket.request('$ping');
  expect(reply['data']).toEqual({ t: expect.any(Number) });
}

/** The head of the server's answer to a raw upgrade request (101 or not). */
export async function rawHead(port: number, request: string | Buffer): Promise<RawResponse> {
  const received = await rawExchange(port, request, (bytes) => bytes.includes('\r\n\r\n'));
  return parseResponse(received.toString('latin1'));
}

/**
 * The probe app for one test file: started before its tests (`assign` receives it), every
 * scoped app closed after each test, the probe closed after all.
 */
export function useProbeApp(assign: (app: App) => void): void {
  let probe: App | undefined;
  beforeAll(async () => {
    probe = await startProbeApp();
    assign(probe);
  });
  afterEach(closeScoped);
  afterAll(async () => {
    await probe?.app.close();
  });
}
