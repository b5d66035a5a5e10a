import { readFileSync } from 'node:fs';
import {
  HISTORY_HORIZON_MS,
  LONG_WINDOW_BUCKETS,
  SHORT_BUCKET_MS,
  SHORT_PER_LONG,
  SHORT_WINDOW_BUCKETS,
} from '../parameters.ts';

const PARAMETERS: Record<string, number> = {
  HISTORY_HORIZON_MS,
  SHORT_BUCKET_MS,
  SHORT_WINDOW_BUCKETS,
  SHORT_PER_LONG,
  LONG_WINDOW_BUCKETS,
};

/** The account-update script with the definition parameters filled in (one source of truth). */
export const ACCOUNT_UPDATE_LUA: string = readFileSync(
  new URL('./account-update.lua', import.meta.url),
  'utf8',
).replace(/__([A-Z0-9_]+)__/g, (whole, name: string) => {
  const value = PARAMETERS[name];
  if (value === undefined) throw new Error(`account-update.lua names unknown parameter ${whole}`);
  return String(value);
});
