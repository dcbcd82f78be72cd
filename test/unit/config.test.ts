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

describe('configuration a new user gets wrong', () => {
  it('bounds a job\'s run: two minutes unless told, never under 10 s', () => {
    expect(loadConfig(base).workerJobTimeoutMs).toBe(120_000);
    expect(loadConfig({ ...base, WORKER_JOB_TIMEOUT_MS: '300000' }).workerJobTimeoutMs).toBe(300_000);
    expect(() => loadConfig({ ...base, WORKER_JOB_TIMEOUT_MS: '500' })).toThrow(/WORKER_JOB_TIMEOUT_MS must be at least 10000/);
  });

  it('trusts no proxy unless told, takes a hop count or proxy addresses, and refuses "true" and non-addresses', () => {
    expect(loadConfig(base).trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.168.1.4,loopback ::1' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.4', 'loopback', '::1']);
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY=true would let any client choose its address/);
    expect(() => loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8,lb.internal' })).toThrow(/TRUST_PROXY must be .*not an address: "lb.internal"/);
    expect(() => loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/33' })).toThrow(/not an address: "10.0.0.0\/33"/);
    expect(() => loadConfig({ ...base, TRUST_PROXY: '99' })).toThrow(/at most 10 proxy hops/);
  });

  it('takes REDIS_CLUSTER=true with a node\'s REDIS_URL, and names what is wrong otherwise', () => {
    expect(loadConfig({ ...base, REDIS_URL: 'redis://node-1.cache.example:7000', REDIS_CLUSTER: 'true' })).toMatchObject({ redisUrl: 'redis://node-1.cache.example:7000', redisCluster: true });
    expect(loadConfig(base).redisCluster).toBe(false);
    expect(() => loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:7000', REDIS_CLUSTER: 'yes' })).toThrow(/REDIS_CLUSTER must be true .* or false/);
    expect(() => loadConfig({ ...base, REDIS_CLUSTER: 'true' })).toThrow(/REDIS_CLUSTER=true needs REDIS_URL: the address of one node of the cluster/);
    expect(loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_WAIT_REPLICAS: '1' }).redisWaitReplicas).toBe(1);
    expect(() => loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_WAIT_REPLICAS: '9' })).toThrow(/REDIS_WAIT_REPLICAS must be a number of replicas from 0 to 5/);
    expect(() => loadConfig({ ...base, REDIS_WAIT_REPLICAS: '1' })).toThrow(/REDIS_WAIT_REPLICAS needs REDIS_URL/);
  });

  it('names REDIS_URL when it is not a redis:// URL, together with every other problem at once', () => {
    let message = '';
    try { loadConfig({ REDIS_URL: 'http://127.0.0.1:6379', PORT: 'eighty', HUBSPOT_CLIENT_SECRET: 'secret-1234' }); } catch (err) { message = (err as Error).message; }
    expect(message).toContain('REDIS_URL must look like redis://127.0.0.1:6379');
    expect(message).toContain('PORT');
    expect(message).toContain('set HUBSPOT_ACCESS_TOKEN (private app, one account) or HUBSPOT_CLIENT_ID');
    expect(loadConfig({ ...base, REDIS_URL: 'rediss://cache.example:6380/2' }).redisUrl).toBe('rediss://cache.example:6380/2');
  });

  it('asks OAuth installs for exactly the scopes app-hsmeta.json requires, and refuses a scope list that leaves one out', async () => {
    const { readFileSync } = await import('node:fs');
    const meta = JSON.parse(readFileSync(new URL('../../src/app/app-hsmeta.json', import.meta.url), 'utf8')) as { config: { auth: { requiredScopes: string[] } } };
    const scopes = loadConfig({ HUBSPOT_CLIENT_SECRET: 'secret-1234', HUBSPOT_CLIENT_ID: 'id', TOKEN_ENCRYPTION_KEY: 'a'.repeat(64) }).scopes;
    expect(scopes).toEqual(['oauth', ...meta.config.auth.requiredScopes]);
    expect(scopes).toEqual(expect.arrayContaining(['crm.schemas.contacts.write', 'crm.lists.read', 'crm.lists.write', 'crm.objects.users.read']));
    expect(() => loadConfig({ ...base, HUBSPOT_SCOPES: 'oauth tickets' })).toThrow(/HUBSPOT_SCOPES leaves out scopes src\/app\/app-hsmeta.json requires: crm.objects.contacts.read/);
  });

  it('keeps legacy webhook signatures off unless asked, and listens where HOST says', () => {
    expect(loadConfig(base)).toMatchObject({ allowLegacySignatures: false, host: '0.0.0.0' });
    expect(loadConfig({ ...base, WEBHOOK_ALLOW_LEGACY_SIGNATURES: 'true', HOST: '127.0.0.1' })).toMatchObject({ allowLegacySignatures: true, host: '127.0.0.1' });
  });
});
