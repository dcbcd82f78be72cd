import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, type DemoRun } from '../../src/server/demo-story.js';

const SHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');
let demo: DemoRun;
let browser: Browser;
beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  demo = await runDemo();
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
}, 90_000);
afterAll(async () => { await browser?.close(); await demo?.stop(); });

describe('the demo\'s console page (Chromium)', () => {
  it('shows the contacts with their company and why, the tickets with their rules and the emails as sent; a company and an email can be added from it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 3600 } });
    await page.goto(`${demo.sandbox.url}/_console`);
    const rows = await page.locator('section').nth(0).locator('tr').allTextContents();
    expect(rows.find((r) => r.includes('ada@acme.example'))).toMatch(/Acme Corporation.*owns acme\.example/);
    // Free mail never matches a company: the default company (the articles' "Unassigned") gets her.
    expect(rows.find((r) => r.includes('margaret@gmail.com'))).toMatch(/Unassigned.*free-mail/);
    // A contact an agent made by hand in HubSpot: not filed by the app, but given access.
    expect(rows.find((r) => r.includes('katherine@eu.globex.example'))).toMatch(/invited/);
    expect(await page.locator('section').nth(3).textContent()).toMatch(/Portal credentials: fired.*grantPortalAccess done.*sendPortalCredentials sent/s);
    // The agent's quick reply on Hedy's conversation, with her username and a one-time link.
    const replies = await page.locator('section', { hasText: "Agents' replies on conversations" }).textContent();
    expect(replies).toMatch(/to hedy@eu\.globex\.example on thread \d+/);
    expect(replies).toMatch(/Username: hedy@eu\.globex\.example[\s\S]*\/set-password\//);
    const frames = page.locator('iframe');
    const mails = await Promise.all(Array.from({ length: await frames.count() }, (_, i) => page.frameLocator('iframe').nth(i).locator('body').textContent()));
    expect(mails).toHaveLength(7); // the demo's seven emails: credentials for six (five from the inbox and Ada again, one an agent made), one issue report
    expect(mails.filter((m) => m?.includes('Set your password here'))).toHaveLength(6);
    expect(mails.filter((m) => m?.includes('you are a support contact of Acme'))).toHaveLength(1);
    await page.screenshot({ path: `${SHOTS}/console.png`, fullPage: true });

    await page.locator('input[name=name]').first().fill('Initech');
    await page.locator('input[name=domain]').fill('initech.example');
    await page.getByRole('button', { name: 'Add company' }).click();
    await page.waitForURL(/\/_console$/);
    expect(await page.locator('section').nth(1).textContent()).toContain('initech.example');
    await page.locator('input[name=from]').fill('peter@initech.example');
    await page.locator('section').nth(2).locator('input[name=name]').fill('Peter Gibbons');
    await page.locator('input[name=subject]').fill('TPS reports');
    await page.getByRole('button', { name: 'Send' }).click();
    await demo.sandbox.webhooks!.drain();
    await demo.runtime.queue.idle(20_000);
    await page.reload();
    expect((await page.locator('section').nth(0).locator('tr').allTextContents()).find((r) => r.includes('peter@initech.example'))).toMatch(/Initech.*owns initech\.example/);
  });
});
