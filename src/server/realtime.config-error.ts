/** The boot-time configuration error and the checks every option resolver shares. */
/** A boot-time configuration error; the message says how to fix it. */
export class RealtimeConfigError extends Error {
  constructor(message: string) {
    super(`RealtimeModule: ${message}`);
    this.name = 'RealtimeConfigError';
  }
}

export function positiveInt(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RealtimeConfigError(
      `"${name}" must be an integer of at least ${min}, got ${JSON.stringify(value)}. Remove it to use the default (${fallback}).`,
    );
  }
  return value;
}
