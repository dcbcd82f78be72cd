import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionalScopes, requiredScopes } from '../../src/auth/app-scopes.js';

const specDir = resolve(import.meta.dirname, '../../spec/hubspot-openapi');
/** Every scope some operation of HubSpot's specs (the endpoints this app calls) names. */
const named = new Set<string>();
for (const f of readdirSync(specDir).filter((x) => x.endsWith('.json'))) {
  const spec = JSON.parse(readFileSync(resolve(specDir, f), 'utf8')) as { paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>> };
  for (const ops of Object.values(spec.paths)) for (const op of Object.values(ops)) for (const alt of op.security ?? []) for (const s of Object.values(alt).flat()) named.add(s);
}

describe('the scopes the app asks for', () => {
  it('are each needed by an endpoint in the specs the app is checked against (none asked for and unused)', () => {
    expect([...requiredScopes, ...optionalScopes].filter((s) => !named.has(s))).toEqual([]);
  });

  it('include the users scope the support-contact search needs, and no longer settings.users.read', () => {
    expect(requiredScopes).toContain('crm.objects.users.read');
    expect(requiredScopes).toContain('crm.schemas.companies.write');
    expect(requiredScopes).not.toContain('settings.users.read');
  });

  it('are each explained in the scope table of the deployment page', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../docs/deploying.md'), 'utf8');
    for (const s of [...requiredScopes, ...optionalScopes]) expect(readme, s).toMatch(new RegExp(`^\\| \`${s.replace(/\./g, '\\.')}\``, 'm'));
  });
});
