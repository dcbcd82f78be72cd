import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/server/config.js';

const base = { HUBSPOT_CLIENT_SECRET: 'secret-1234', HUBSPOT_ACCESS_TOKEN: 'token' };

describe('configuration', () => {
  it('starts in embedded, private-app mode with defaults when only a token and secret are given', () => {
    const c = loadConfig(base);
    expect(c).toMatchObject({ port: 3000, redisUrl: undefined, authMode: 'private', role: 'all', rateLimitPer10s: 190, hubspotApiBaseUrl: 'https://api.hubapi.com' });
  });

  it('uses 110 calls per 10 s for OAuth installs', () => {
    const c = loadConfig({ HUBSPOT_CLIENT_SECRET: 'secret-1234', HUBSPOT_CLIENT_ID: 'id', TOKEN_ENCRYPTION_KEY: 'a'.repeat(64) });
    expect(c.authMode).toBe('oauth');
    expect(c.rateLimitPer10s).toBe(110);
  });

  it('fails fast naming every missing or wrong variable and how to fix it', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', APP_ROLE: 'boss' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/APP_ROLE must be web, worker or all/);
    expect(attempt).toThrow(/HUBSPOT_CLIENT_SECRET is required/);
  });

  it('asks for a token or an OAuth client id, and for an encryption key in OAuth mode', () => {
    expect(() => loadConfig({ HUBSPOT_CLIENT_SECRET: 'secret-1234' })).toThrow(/HUBSPOT_ACCESS_TOKEN .* or HUBSPOT_CLIENT_ID/);
    expect(() => loadConfig({ HUBSPOT_CLIENT_SECRET: 'secret-1234', HUBSPOT_CLIENT_ID: 'id' })).toThrow(/TOKEN_ENCRYPTION_KEY is required/);
    expect(() => loadConfig({ ...base, TOKEN_ENCRYPTION_KEY: 'too-short' })).toThrow(/32 bytes/);
  });
});
