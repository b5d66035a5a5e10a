import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// patches/kafkajs+2.2.4.patch (applied by `npm install` through patch-package): kafkajs' filter of
// aborted transactional records for read_committed consumers. The broker lists aborted
// transactions in abort order; unpatched kafkajs assumed first-offset order and leaked the
// records of a transaction that began before another aborted one but was aborted after it (a
// fenced zombie's transaction, typically), which read_committed readers then saw as decisions.
const require = createRequire(import.meta.url);
const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages.js') as (args: {
  messages: Message[];
  abortedTransactions: { firstOffset: string; producerId: string }[];
}) => Message[];

interface Message {
  offset: string;
  key: Buffer | null;
  batchContext: { producerId: string; inTransaction: boolean };
}

const record = (offset: number, producerId: string): Message => ({
  offset: String(offset),
  key: Buffer.from('k'),
  batchContext: { producerId, inTransaction: true },
});
const abortMarker = (offset: number, producerId: string): Message => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, 0]),
  batchContext: { producerId, inTransaction: true },
});

describe('kafkajs aborted-transaction filter (patched)', () => {
  it('drops the records of every aborted transaction, whatever order the broker lists them in', () => {
    // Producer 1 (the zombie) starts at 10 and is aborted last; producer 2 starts at 11 and is
    // aborted first; producer 3 commits. The broker lists [2, 1]: abort-marker order.
    const messages = [
      record(10, '1'),
      record(11, '2'),
      record(12, '3'),
      abortMarker(13, '2'),
      record(14, '1'),
      abortMarker(15, '1'),
      record(16, '1'),
    ];
    const kept = filterAbortedMessages({
      messages,
      abortedTransactions: [
        { firstOffset: '11', producerId: '2' },
        { firstOffset: '10', producerId: '1' },
      ],
    });
    // 12 is producer 3's committed record; 16 is producer 1's next (not aborted) transaction.
    expect(kept.filter((m) => m.key?.length === 1).map((m) => m.offset)).toEqual(['12', '16']);
  });
});
