/**
 * Key layout. Accounts are spread over a fixed number of virtual shards; all keys of a shard share
 * one hash tag, so one script call can update every account of that shard in a batch while
 * touching ONE hash slot (Redis Cluster spreads the shards' slots over its nodes):
 *   {<prefix>:<shard>}:a:<account id>   account state (binary, see state.ts), TTL = ttlSeconds
 *   {<prefix>:<shard>}:m|v|k:<id>      index entity state (amount index, (account, device) and
 *                                       (account, country) pairs; see ../entities.ts), same format
 *                                       and TTL as an account; sharded by "<kind>:<id>"
 *   {<prefix>:<shard>}:i:<event hour>   HASH, field <role><transaction id> -> the account's prior
 *                                       view; TTL = idempotencyTtlSeconds after its latest write
 * Ids sit outside the braces, so no id can change a key's slot or collide with another key kind.
 * The shard count is part of the layout: changing it orphans the state (use a new prefix).
 */

/** FNV-1a over UTF-16 code units: stable, fast, and evenly spread for account ids. */
export function shardOf(accountId: string, shards: number): number {
  let x = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) x = Math.imul(x ^ accountId.charCodeAt(i), 0x01000193);
  return (x >>> 0) % shards;
}

export function shardTag(prefix: string, shard: number): string {
  return `{${prefix}:${shard}}`;
}

export function accountKey(tag: string, accountId: string): string {
  return `${tag}:a:${accountId}`;
}

/** Key of an index entity (kind 'm', 'v' or 'k'); accounts use accountKey. */
export function indexKey(tag: string, kind: string, id: string): string {
  return `${tag}:${kind}:${id}`;
}

/** Idempotency records are grouped by the transaction's event hour, so a redelivery finds them in one HGET. */
export function idempotencyKey(tag: string, eventTime: number): string {
  return `${tag}:i:${Math.floor(eventTime / 3_600_000)}`;
}

// CRC16/XMODEM, the function Redis Cluster uses for key slots.
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[i] = c;
  }
  return t;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ b) & 0xff]!;
  return crc;
}

/** Redis Cluster slot of a key, hash tags included (used to group a Cluster pipeline by node). */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  let hashed = key;
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) hashed = key.slice(open + 1, close);
  }
  return crc16(Buffer.from(hashed, 'utf8')) % 16384;
}
