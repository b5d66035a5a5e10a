import { createHash } from 'node:crypto';
import { FEATURE_NAMES } from './definitions.ts';
import { DEFINITION_PARAMETERS } from './parameters.ts';

/** Bump when any definition changes; the fingerprint catches a forgotten bump of names or parameters. */
export const FEATURE_SET_VERSION = '2.0.0';

/**
 * sha256 over version, names and definition parameters. A model manifest records it; the scorer
 * refuses a model trained on another feature set. Store TTLs are deliberately not part of it
 * (HISTORY_HORIZON_MS makes the features independent of them).
 */
export const FEATURE_SET_FINGERPRINT: string = createHash('sha256')
  .update(
    JSON.stringify({ version: FEATURE_SET_VERSION, names: FEATURE_NAMES, parameters: DEFINITION_PARAMETERS }),
  )
  .digest('hex');
