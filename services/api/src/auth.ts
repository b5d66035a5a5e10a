import { hash, timingSafeEqual } from 'node:crypto';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** One-shot SHA-256 (no Hash object per request: this runs on every call). */
function digest(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}

/**
 * Checks `Authorization: Bearer <key>` against the configured keys in constant time: keys are
 * compared as SHA-256 digests (equal length, so neither the key nor its length leaks through
 * timing), and every configured key is compared, with no early exit on a match.
 */
export class ApiKeyVerifier {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('at least one API key is required');
    this.digests = keys.map(digest);
  }

  /** True when the header carries one of the keys. */
  verify(authorization: string | undefined): boolean {
    if (authorization === undefined) return false;
    const match = BEARER.exec(authorization);
    if (!match) return false;
    const presented = digest(match[1]!);
    let ok = false;
    for (const known of this.digests) ok = timingSafeEqual(presented, known) || ok;
    return ok;
  }
}
