import { hash, verify } from '@node-rs/argon2';
import type { Db } from '../db/db.ts';
import { audit } from './cases.ts';

export const ROLES = ['analyst', 'lead', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** analyst < lead < admin: each role may do everything the ones before it may. */
export const ROLE_RANK: Record<Role, number> = { analyst: 1, lead: 2, admin: 3 };

export interface User {
  id: number;
  email: string;
  role: Role;
  disabled: boolean;
}

interface UserRecord {
  id: number;
  email: string;
  role: Role;
  disabled: number;
  password_hash: string;
}

const toUser = (r: UserRecord): User => ({
  id: Number(r.id),
  email: r.email,
  role: r.role,
  disabled: Number(r.disabled) === 1,
});

/** argon2id with the library's defaults (OWASP's 19 MiB, t=2 profile). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/**
 * A hash of a random password, verified against when the email is unknown so that a wrong email
 * and a wrong password take the same time.
 */
let decoyHash: Promise<string> | undefined;

export async function authenticate(db: Db, email: string, password: string): Promise<User | undefined> {
  const row = await db.get<UserRecord>('SELECT * FROM users WHERE email = ?', [email.trim().toLowerCase()]);
  if (!row) {
    decoyHash ??= hash(`decoy-${Math.random()}`);
    await verify(await decoyHash, password);
    return undefined;
  }
  const ok = await verify(row.password_hash, password);
  return ok && Number(row.disabled) === 0 ? toUser(row) : undefined;
}

export async function getUser(db: Db, id: number): Promise<User | undefined> {
  const row = await db.get<UserRecord>('SELECT * FROM users WHERE id = ?', [id]);
  return row ? toUser(row) : undefined;
}

export async function listUsers(db: Db): Promise<User[]> {
  return (await db.all<UserRecord>('SELECT * FROM users ORDER BY email')).map(toUser);
}

export class DuplicateUserError extends Error {}

export async function createUser(
  db: Db,
  email: string,
  password: string,
  role: Role,
  actor: string,
  nowMs = Date.now(),
): Promise<void> {
  const normalized = email.trim().toLowerCase();
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    if (await tx.get('SELECT id FROM users WHERE email = ?', [normalized])) {
      throw new DuplicateUserError(`a user ${normalized} exists already`);
    }
    await tx.run(
      'INSERT INTO users (email, password_hash, role, disabled, created_at) VALUES (?, ?, ?, 0, ?)',
      [normalized, passwordHash, role, nowMs],
    );
    await audit(tx, actor, 'create-user', normalized, { role }, nowMs);
  });
}

export async function setUserDisabled(db: Db, id: number, disabled: boolean, actor: string): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await tx.get<UserRecord>('SELECT * FROM users WHERE id = ?', [id]);
    if (!row) throw new Error(`no user ${id}`);
    await tx.run('UPDATE users SET disabled = ? WHERE id = ?', [disabled ? 1 : 0, id]);
    await audit(tx, actor, disabled ? 'disable-user' : 'enable-user', row.email, {}, Date.now());
  });
}

export class NoUsersError extends Error {}

/**
 * The first admin comes from CONSOLE_ADMIN_EMAIL / CONSOLE_ADMIN_PASSWORD. With no user in the
 * database and no bootstrap admin configured the console refuses to start: it never runs open.
 */
export async function bootstrapAdmin(
  db: Db,
  admin: { email: string; password: string } | undefined,
): Promise<boolean> {
  const existing = await db.get<{ id: number }>('SELECT id FROM users WHERE email = ?', [admin?.email ?? '']);
  if (admin && !existing) {
    await createUser(db, admin.email, admin.password, 'admin', 'bootstrap');
    return true;
  }
  const count = await db.get<{ n: number }>(
    "SELECT COUNT(*) AS n FROM users WHERE disabled = 0 AND role = 'admin'",
  );
  if (Number(count?.n ?? 0) === 0) {
    throw new NoUsersError(
      'CONSOLE_ADMIN_EMAIL and CONSOLE_ADMIN_PASSWORD are required: the database has no admin user and the console never starts open',
    );
  }
  return false;
}
