import { CloseCode } from '../../protocol/index.js';
import type { ConnectionState } from './connection-state.js';

/** setTimeout's largest delay (about 24.8 days). */
const MAX_DELAY = 2_147_483_647;

/** Whether the connection's token has expired (with the configured clock tolerance). */
export function isExpired(state: ConnectionState, toleranceMs: number, now = Date.now()): boolean {
  const expiresAt = state.principal.expiresAt;
  return expiresAt !== null && now >= expiresAt + toleranceMs;
}

/**
 * Every connection's expiry on one timer: the connections by deadline, and a min-heap of the
 * deadlines. A `setTimeout` per connection cost a `Timeout` and, since deadlines differ by the
 * millisecond each connection opened at, one of Node's timer lists each: memory per connection
 * and a priority-queue insertion per handshake. Tokens carry `exp` in seconds, so connections
 * share deadlines. The heap may hold deadlines no longer in the map (cleared): they are skipped
 * when they come up, and the heap is rebuilt when they outnumber the live ones.
 */
const byDeadline = new Map<number, Set<ConnectionState>>();
const heap: number[] = [];
let timer: NodeJS.Timeout | undefined;
let armedFor = Number.POSITIVE_INFINITY;

/** Closes the connection with 4401 when its token expires; a later call replaces the deadline. */
export function scheduleExpiry(state: ConnectionState, toleranceMs: number): void {
  clearExpiry(state);
  const expiresAt = state.principal.expiresAt;
  if (expiresAt === null) return;
  const deadline = expiresAt + toleranceMs;
  state.expiryDeadline = deadline;
  let states = byDeadline.get(deadline);
  if (!states) {
    byDeadline.set(deadline, (states = new Set()));
    push(deadline);
  }
  states.add(state);
  if (deadline < armedFor) arm(deadline);
}

export function clearExpiry(state: ConnectionState): void {
  const deadline = state.expiryDeadline;
  if (deadline === undefined) return;
  state.expiryDeadline = undefined;
  const states = byDeadline.get(deadline);
  if (states?.delete(state) && states.size === 0) byDeadline.delete(deadline);
  if (heap.length > 64 && heap.length > 2 * byDeadline.size) rebuild();
}

function arm(deadline: number): void {
  clearTimeout(timer);
  armedFor = deadline;
  timer = setTimeout(onDue, Math.min(MAX_DELAY, Math.max(0, deadline - Date.now())));
  // Expiry alone must not keep the process alive.
  timer.unref();
}

function onDue(): void {
  timer = undefined;
  armedFor = Number.POSITIVE_INFINITY;
  const now = Date.now();
  while (heap.length > 0 && heap[0]! <= now) {
    const deadline = pop();
    const states = byDeadline.get(deadline);
    if (!states) continue;
    byDeadline.delete(deadline);
    for (const state of states) {
      state.expiryDeadline = undefined;
      state.close(CloseCode.TOKEN_EXPIRED, 'Token expired');
    }
  }
  while (heap.length > 0 && !byDeadline.has(heap[0]!)) pop();
  if (heap.length > 0) arm(heap[0]!);
}

function rebuild(): void {
  heap.length = 0;
  for (const deadline of byDeadline.keys()) push(deadline);
}

function push(deadline: number): void {
  let i = heap.push(deadline) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! <= deadline) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = deadline;
}

function pop(): number {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && heap[right]! < heap[left]! ? right : left;
    if (heap[child]! >= last) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = last;
  return top;
}
