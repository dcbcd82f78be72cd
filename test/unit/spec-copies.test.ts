import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const here = resolve(import.meta.dirname, '../../spec/hubspot-openapi');
const shared = resolve(import.meta.dirname, '../../../shared/hubspot-openapi');
const specs = readdirSync(here).filter((f) => f.endsWith('.json')).sort();
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);

describe('the HubSpot specs kept in the repository', () => {
  it('are listed in their README with the hash of each file', () => {
    const readme = readFileSync(resolve(here, 'README.md'), 'utf8');
    expect(specs.length).toBeGreaterThanOrEqual(18);
    for (const f of specs) expect(readme).toContain(`| \`${f}\` |`);
    for (const f of specs) expect(readme).toContain(`\`${sha(resolve(here, f))}\``);
  });

  it('are the same files as the project\'s shared collection, where it sits beside the repository', () => {
    const beside = existsSync(shared) ? readdirSync(shared).filter((f) => f.endsWith('.json')).sort() : specs;
    expect(beside).toEqual(specs);
    for (const f of beside) expect(sha(resolve(existsSync(shared) ? shared : here, f))).toBe(sha(resolve(here, f)));
  });
});
