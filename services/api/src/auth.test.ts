import { describe, expect, it } from 'vitest';
import { ApiKeyVerifier } from './auth.ts';

describe('ApiKeyVerifier', () => {
  const verifier = new ApiKeyVerifier(['k-0123456789abcdef', 'k-fedcba9876543210']);

  it('accepts any configured key as a Bearer token', () => {
    expect(verifier.verify('Bearer k-0123456789abcdef')).toBe(true);
    expect(verifier.verify('bearer k-fedcba9876543210')).toBe(true);
  });

  it('refuses a missing header, another scheme, a wrong, truncated or extended key', () => {
    expect(verifier.verify(undefined)).toBe(false);
    expect(verifier.verify('')).toBe(false);
    expect(verifier.verify('Basic k-0123456789abcdef')).toBe(false);
    expect(verifier.verify('k-0123456789abcdef')).toBe(false);
    expect(verifier.verify('Bearer k-0123456789abcdeX')).toBe(false);
    expect(verifier.verify('Bearer k-0123456789abcde')).toBe(false);
    expect(verifier.verify('Bearer k-0123456789abcdef0')).toBe(false);
    expect(verifier.verify('Bearer k-0123456789abcdef k-fedcba9876543210')).toBe(false);
  });

  it('needs at least one key', () => {
    expect(() => new ApiKeyVerifier([])).toThrow(/at least one API key/);
  });
});
