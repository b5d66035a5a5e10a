/**
 * Who runs the outbox relay when several consoles share one database.
 *
 * PostgreSQL: a session-level advisory lock held on a dedicated connection (not a pool client),
 * so it lives exactly as long as that connection. A replica that loses the connection loses the
 * lock and stops relaying; another replica takes it on its next try. The relays share one Kafka
 * transactional id, so the new leader's producer also fences a stalled old one.
 *
 * SQLite: the database is a local file and the console is one process, so it always leads.
 */
import pg from 'pg';
import type { DatabaseSettings } from './db.ts';

export interface LeaderLock {
  /** True once acquired and until the lock (its connection) is lost or released. */
  readonly held: boolean;
  /** Takes the lock if no other replica holds it; never waits. */
  tryAcquire(): Promise<boolean>;
  /** While held: checks the lock's connection is alive (false, and not held, once it is gone). */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

class AlwaysLeader implements LeaderLock {
  held = false;
  tryAcquire(): Promise<boolean> {
    this.held = true;
    return Promise.resolve(true);
  }
  stillHeld(): Promise<boolean> {
    return Promise.resolve(this.held);
  }
  release(): Promise<void> {
    this.held = false;
    return Promise.resolve();
  }
}

class PostgresAdvisoryLock implements LeaderLock {
  held = false;
  private client: pg.Client | undefined;

  constructor(
    private readonly url: string,
    private readonly name: string,
    private readonly onLost: (error: Error) => void,
  ) {}

  async tryAcquire(): Promise<boolean> {
    if (this.held) return true;
    let client = this.client;
    if (!client) {
      // keepAlive: a peer that vanished without a FIN (NAT timeout, failover) still ends the session.
      const fresh = new pg.Client({ connectionString: this.url, keepAlive: true });
      client = fresh;
      // A dropped connection drops the lock with it: from then on this replica is not the leader.
      const lost = (error: Error) => {
        if (this.client !== fresh) return;
        this.client = undefined;
        const wasHeld = this.held;
        this.held = false;
        if (wasHeld) this.onLost(error);
      };
      fresh.on('error', lost);
      fresh.on('end', () => lost(new Error('leader lock connection closed')));
      this.client = fresh;
      try {
        await fresh.connect();
      } catch (error) {
        this.client = undefined;
        throw error;
      }
    }
    const row = await client.query<{ acquired: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS acquired',
      [this.name],
    );
    this.held = row.rows[0]?.acquired === true;
    return this.held;
  }

  async stillHeld(): Promise<boolean> {
    const client = this.client;
    if (!this.held || !client) return false;
    try {
      await client.query('SELECT 1');
      return this.held;
    } catch {
      // The session is gone, and the lock with it.
      this.client = undefined;
      this.held = false;
      await client.end().catch(() => undefined);
      return false;
    }
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.held = false;
    // Closing the session releases every advisory lock it holds.
    await client?.end().catch(() => undefined);
  }
}

/** The relay's leader lock for this database; `name` scopes it (one lock per outbox). */
export function leaderLock(
  settings: DatabaseSettings,
  name: string,
  onLost: (error: Error) => void,
): LeaderLock {
  return settings.kind === 'postgres'
    ? new PostgresAdvisoryLock(settings.url, name, onLost)
    : new AlwaysLeader();
}
