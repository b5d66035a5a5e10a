/**
 * An account's history as one transaction sees it: the prior state, already aged to the
 * transaction's event time. It is what the Redis script returns and stores as the idempotency
 * snapshot (16 little-endian doubles, in VIEW_FIELDS order), so its layout is a wire format.
 */
export interface AccountView {
  /** Latest event time seen (ms); 0 when the account has no history. */
  lastEventTime: number;
  outCount: number;
  outSumMinor: number;
  outMaxMinor: number;
  inCount: number;
  inSumMinor: number;
  /** Amount of the latest incoming TRANSFER; 0 when none. */
  lastInTransferMinor: number;
  lastInTransferTime: number;
  out1hCount: number;
  out1hSumMinor: number;
  in1hCount: number;
  in1hSumMinor: number;
  out24hCount: number;
  out24hSumMinor: number;
  in24hCount: number;
  in24hSumMinor: number;
}

export const VIEW_FIELDS = [
  'lastEventTime',
  'outCount',
  'outSumMinor',
  'outMaxMinor',
  'inCount',
  'inSumMinor',
  'lastInTransferMinor',
  'lastInTransferTime',
  'out1hCount',
  'out1hSumMinor',
  'in1hCount',
  'in1hSumMinor',
  'out24hCount',
  'out24hSumMinor',
  'in24hCount',
  'in24hSumMinor',
] as const satisfies readonly (keyof AccountView)[];

export const VIEW_BYTES = VIEW_FIELDS.length * 8;

export const EMPTY_VIEW: Readonly<AccountView> = Object.freeze(
  Object.fromEntries(VIEW_FIELDS.map((f) => [f, 0])) as unknown as AccountView,
);

export function decodeView(buf: Buffer): AccountView {
  if (buf.length !== VIEW_BYTES)
    throw new RangeError(`account view must be ${VIEW_BYTES} bytes, got ${buf.length}`);
  // Written out (not a loop over VIEW_FIELDS) because this runs twice per transaction on the hot path.
  return {
    lastEventTime: buf.readDoubleLE(0),
    outCount: buf.readDoubleLE(8),
    outSumMinor: buf.readDoubleLE(16),
    outMaxMinor: buf.readDoubleLE(24),
    inCount: buf.readDoubleLE(32),
    inSumMinor: buf.readDoubleLE(40),
    lastInTransferMinor: buf.readDoubleLE(48),
    lastInTransferTime: buf.readDoubleLE(56),
    out1hCount: buf.readDoubleLE(64),
    out1hSumMinor: buf.readDoubleLE(72),
    in1hCount: buf.readDoubleLE(80),
    in1hSumMinor: buf.readDoubleLE(88),
    out24hCount: buf.readDoubleLE(96),
    out24hSumMinor: buf.readDoubleLE(104),
    in24hCount: buf.readDoubleLE(112),
    in24hSumMinor: buf.readDoubleLE(120),
  };
}

export function encodeView(view: AccountView): Buffer {
  const buf = Buffer.alloc(VIEW_BYTES);
  VIEW_FIELDS.forEach((f, i) => buf.writeDoubleLE(view[f], i * 8));
  return buf;
}
