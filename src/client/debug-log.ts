/** Receives the client's debug lines (see the `debug` option). */
export type DebugLogger = (line: string) => void;

/** Longest frame text a debug line shows. */
const MAX_FRAME_CHARS = 500;

/** Keys whose values never appear in a debug line (`session`: the id a reconnect resumes). */
const SECRET_KEY = /token|secret|password|authorization|cookie|session/i;

/** The logger of a `debug` option: `true` is `console.debug`, a function is itself. */
export function debugLogger(debug: boolean | DebugLogger | undefined): DebugLogger | undefined {
  if (typeof debug === 'function') return debug;
  if (debug !== true) return undefined;
  return (line) => console.debug(line);
}

/** A frame as a debug line shows it: secret-looking values replaced, long text cut. */
export function redactFrame(frame: unknown): string {
  let text: string;
  try {
    const value: unknown = typeof frame === 'string' ? JSON.parse(frame) : frame;
    text = JSON.stringify(value, (key, inner: unknown) =>
      SECRET_KEY.test(key) && inner !== undefined ? '[redacted]' : inner,
    );
  } catch {
    text = typeof frame === 'string' ? `(not JSON, ${frame.length} chars)` : '(binary)';
  }
  return text.length > MAX_FRAME_CHARS ? `${text.slice(0, MAX_FRAME_CHARS)}...` : text;
}

/** A URL as a debug line shows it: query parameters that look secret replaced. */
export function redactUrl(url: string): string {
  return url.replace(/([?&][^=&#]*(?:token|secret|auth)[^=&#]*=)[^&#]*/gi, '$1[redacted]');
}

/** A state change as a debug line shows it. */
export function describeStateChange(change: {
  previous: string;
  state: string;
  code: number | string;
  reason: string;
}): string {
  return `[realtime] state ${change.previous} -> ${change.state} (${change.code}: ${change.reason})`;
}
