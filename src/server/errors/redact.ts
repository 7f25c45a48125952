// A JWT is three base64url parts; header and payload start with `eyJ` ('{"').
const JWT = /eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*/g;
const BEARER = /(bearer[ .])[^\s"',;]+/gi;
const ACCESS_TOKEN = /(access_token=)[^\s&"',;]+/gi;

/** Removes tokens from text that is about to be logged. */
export function redact(text: string): string {
  return text
    .replace(JWT, '[REDACTED]')
    .replace(BEARER, '$1[REDACTED]')
    .replace(ACCESS_TOKEN, '$1[REDACTED]');
}
