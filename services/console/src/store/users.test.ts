import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { authenticate, bootstrapAdmin, createUser, NoUsersError, setUserDisabled } from './users.ts';

let db: Db;
beforeEach(async () => {
  db = await openDb({ kind: 'sqlite', file: ':memory:' });
  await migrate(db);
});
afterEach(() => db.close());

describe('users', () => {
  it('refuses to start open: no admin in the database and none configured', async () => {
    await expect(bootstrapAdmin(db, undefined)).rejects.toThrow(NoUsersError);
  });

  it('bootstraps the admin once; later starts need no variables', async () => {
    expect(await bootstrapAdmin(db, { email: 'root@example.com', password: 'a-long-password' })).toBe(true);
    expect(await bootstrapAdmin(db, { email: 'root@example.com', password: 'a-long-password' })).toBe(false);
    expect(await bootstrapAdmin(db, undefined)).toBe(false);
  });

  it('stores argon2id hashes and signs in only with the right password of an active user', async () => {
    await createUser(db, 'Ana@Example.com', 'analyst-password', 'analyst', 'test');
    const row = await db.get<{ password_hash: string }>('SELECT password_hash FROM users');
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(await authenticate(db, 'ana@example.com', 'analyst-password')).toMatchObject({
      email: 'ana@example.com',
      role: 'analyst',
    });
    expect(await authenticate(db, 'ana@example.com', 'wrong')).toBeUndefined();
    expect(await authenticate(db, 'nobody@example.com', 'analyst-password')).toBeUndefined();
    const user = (await authenticate(db, 'ana@example.com', 'analyst-password'))!;
    await setUserDisabled(db, user.id, true, 'test');
    expect(await authenticate(db, 'ana@example.com', 'analyst-password')).toBeUndefined();
  });
});
