import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import type { Db } from '../db/db.ts';

type Callback = (error?: unknown) => void;
type SessionCallback = (error: unknown, session?: Session | null) => void;

/** @fastify/session store on the case store's `sessions` table: sessions survive restarts and replicas share them. */
export class DbSessionStore implements SessionStore {
  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
  ) {}

  set(sessionId: string, session: Session, callback: Callback): void {
    const expiresAt = Date.now() + this.ttlMs;
    this.db
      .run(
        `INSERT INTO sessions (id, data, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
        [sessionId, JSON.stringify(session), expiresAt],
      )
      .then(() => callback(), callback);
  }

  get(sessionId: string, callback: SessionCallback): void {
    this.db
      .get<{ data: string; expires_at: number }>('SELECT data, expires_at FROM sessions WHERE id = ?', [
        sessionId,
      ])
      .then((row) => {
        if (!row || Number(row.expires_at) < Date.now()) callback(null, null);
        else callback(null, JSON.parse(row.data) as Session);
      }, callback);
  }

  destroy(sessionId: string, callback: Callback): void {
    this.db.run('DELETE FROM sessions WHERE id = ?', [sessionId]).then(() => callback(), callback);
  }

  /** Deletes expired sessions; the app calls it on a timer. */
  async prune(): Promise<number> {
    return (await this.db.run('DELETE FROM sessions WHERE expires_at < ?', [Date.now()])).changes;
  }
}
