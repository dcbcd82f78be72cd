import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const pages = ['README.md', ...readdirSync(resolve(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-');
function anchorsOf(file: string): Set<string> {
  let fence = false;
  const found = new Set<string>();
  for (const line of readFileSync(resolve(root, file), 'utf8').split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const m = !fence && /^#{1,6} (.+)$/.exec(line);
    if (m) found.add(slug(m[1]!));
  }
  return found;
}
/** Every markdown link and image outside code: [text](target). */
function linksOf(file: string): string[] {
  const text = readFileSync(resolve(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

describe('the README and the docs pages', () => {
  it('keep the README a landing page (at most 300 lines) and every page near one subject (at most 330 lines)', () => {
    expect(readFileSync(resolve(root, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(300);
    for (const page of pages) expect(readFileSync(resolve(root, page), 'utf8').split('\n').length, page).toBeLessThanOrEqual(330);
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const link of linksOf(page)) {
        if (/^(https?:|mailto:)/.test(link)) continue;
        const [path, anchor] = link.split('#');
        const target = path ? resolve(root, dirname(page), path) : resolve(root, page);
        if (!existsSync(target)) { broken.push(`${page}: ${link} (no such file)`); continue; }
        if (anchor && target.endsWith('.md') && !anchorsOf(target.slice(root.length + 1)).has(anchor)) broken.push(`${page}: ${link} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('link every docs page from the README', () => {
    const fromReadme = new Set(linksOf('README.md').map((l) => l.split('#')[0]));
    expect(pages.filter((p) => p !== 'README.md' && !fromReadme.has(p))).toEqual([]);
  });

  it('would see a broken link (the check itself)', () => {
    expect(existsSync(resolve(root, 'docs/no-such-page.md'))).toBe(false);
    expect(slug('Customer portal: access, credentials and sign-in')).toBe('customer-portal-access-credentials-and-sign-in');
  });
});
