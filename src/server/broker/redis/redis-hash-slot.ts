/**
 * Redis Cluster's key hashing (https://redis.io/docs/reference/cluster-spec/#hash-tags), for keys
 * that must live in the slot of a channel: CRC16 (XMODEM) of the key's hash tag, modulo 16384.
 */

const SLOTS = 16384;

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[i] = crc & 0xffff;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/**
 * The part of a key (or shard channel) that Redis hashes: the text between the first `{` and the
 * first `}` after it when that text is not empty, else the whole key.
 */
export function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** The slot of a key or shard channel, as `CLUSTER KEYSLOT` says. */
export function hashSlot(key: string): number {
  return crc16(Buffer.from(hashedPart(key))) % SLOTS;
}

const tags = new Map<number, string>();

/**
 * A short text without braces that hashes to `slot` (found by trying `0`, `1`, ... in base 36,
 * about 16 000 tries at first, then remembered): `{<tag>}` puts any key in that slot.
 */
export function tagOfSlot(slot: number): string {
  let tag = tags.get(slot);
  for (let i = 0; tag === undefined; i++) {
    const candidate = i.toString(36);
    if (hashSlot(candidate) === slot) tag = candidate;
  }
  tags.set(slot, tag);
  return tag;
}
