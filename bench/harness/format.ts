/** Medians over the repetitions, and the number formats of the report. */
import type { ScaleOut } from './scaleout.js';
import type { Memory, Throughput } from './scenarios.js';

type Row = Throughput | Memory | ScaleOut;

/** Every repetition of every scenario, by scenario then server (results.json's `runs`). */
export type Results = Record<string, Record<string, Row[]>>;

/** The medians of the repetitions, by scenario then server. */
export type Medians = Record<string, Record<string, Row>>;

/** Whether `v` is a number to report (results.json turns NaN into null). */
export const known = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function median(values: unknown[]): number {
  const sorted = values.filter(known).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of every field over the repetitions; of every element, for arrays (per instance). */
function medians<T extends object>(runs: T[]): T {
  const out: Record<string, number | number[] | undefined> = {};
  const field = (r: T, key: string): unknown => (r as Record<string, unknown>)[key];
  for (const key of Object.keys(runs[0]!)) {
    const first = field(runs[0]!, key);
    if (Array.isArray(first)) {
      out[key] = first.map((_, i) => median(runs.map((r) => (field(r, key) as unknown[])?.[i])));
    } else if (first !== undefined) {
      out[key] = median(runs.map((r) => field(r, key)));
    }
  }
  return out as T;
}

export function allMedians(results: Results): Medians {
  const out: Medians = {};
  for (const [scenario, byServer] of Object.entries(results)) {
    out[scenario] = {};
    for (const [server, runs] of Object.entries(byServer)) out[scenario][server] = medians(runs);
  }
  return out;
}

export const rate = (v: number): string =>
  !known(v)
    ? '–'
    : v >= 1e6
      ? `${(v / 1e6).toFixed(2)}M`
      : v >= 1e4
        ? `${(v / 1e3).toFixed(1)}k`
        : v >= 1e3
          ? `${(v / 1e3).toFixed(2)}k`
          : v.toFixed(0);
export const ms = (v: number): string => (!known(v) ? '–' : v < 10 ? v.toFixed(2) : v.toFixed(1));
export const x = (v: number): string => (known(v) ? `${v.toFixed(2)}×` : '–');
export const pct = (v: number): string => (known(v) ? `${Math.round(v * 100)}%` : '–');
export const kb = (v: number): string => (v / 1024).toFixed(1);
export const count = (n: number): string => n.toLocaleString('en').replace(/,/g, ' ');
