import { describe, expect, it } from 'vitest';
import { isRegistryNotFound } from './registry-errors.ts';

describe('isRegistryNotFound', () => {
  it('recognises a 404 status and the Confluent and Apicurio not-found messages', () => {
    expect(isRegistryNotFound(Object.assign(new Error('boom'), { status: 404 }))).toBe(true);
    expect(isRegistryNotFound(new Error('Confluent_Schema_Registry_Error: Subject not found. (40401)'))).toBe(
      true,
    );
    expect(isRegistryNotFound(new Error('No artifact with ID tx-value in group default was found'))).toBe(
      true,
    );
  });

  it('does not take an outage for a missing subject', () => {
    expect(isRegistryNotFound(Object.assign(new Error('Service Unavailable'), { status: 503 }))).toBe(false);
    expect(isRegistryNotFound(new Error('connect ECONNREFUSED 127.0.0.1:18081'))).toBe(false);
    expect(isRegistryNotFound(new Error('getaddrinfo ENOTFOUND registry'))).toBe(false);
    expect(isRegistryNotFound(undefined)).toBe(false);
  });
});
