import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

describe('npm run demo -- --once', () => {
  it('plays the story on the embedded default, prints the summary and exits 0', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'demo', '--', '--once'], { cwd: root, timeout: 60_000, env: { ...process.env, REDIS_URL: '' } });
    expect(stdout).toContain('Portal Autopilot demo: embedded mode (no Redis)');
    expect(stdout).toMatch(/Events received: 20 \(queued 20, duplicates 0\)/);
    expect(stdout).toMatch(/Events processed: 31, internal "contact onboarded" events included \(handled 31, failed 0\)/);
    // Four new senders and one contact an agent made by hand onboarded (access and credentials), and Ada's [Portal Credentials] ticket sends hers again.
    expect(stdout).toContain('Emails sent: 7 (outbox)');
    expect(stdout).toContain('to katherine@eu.globex.example: "Your access to our customer portal"');
    // Acme's support contact is told of Ada's ticket.
    expect(stdout).toContain('Issue reports: "New issue reported by Acme Corporation: [Portal Credentials]" to grace@acme.example');
    expect(stdout.match(/to ada@acme\.example: "Your access to our customer portal"/g)).toHaveLength(2);
    expect(stdout).toMatch(/ticket \d+: rule "Portal credentials" fired → grantPortalAccess done, sendPortalCredentials sent/);
    expect(stdout).toContain('Portal accounts: 5 of 5 new contacts');
    expect(stdout).toContain('Ada signed in to the customer portal and sees 1 ticket');
    expect(stdout).toContain('Contacts created: 5');
    expect(stdout).toContain('katherine@eu.globex.example → Globex');
    expect(stdout).toContain('ada@acme.example → Acme Corporation');
    expect(stdout).toContain('linus@acme.test → Acme Corporation');
    expect(stdout).toContain('hedy@eu.globex.example → Globex');
    expect(stdout).toContain('margaret@gmail.com → Unassigned');
    expect(stdout).not.toContain('grace@acme.example →');
    expect(stdout).toMatch(/Quick reply: the portal credentials went to hedy@eu\.globex\.example on the conversation of ticket \d+ \(thread \d+\)/);
    expect(stdout).toContain('Dead letters: 0');
    // The admin's setup, complete: every step of the checklist done.
    expect(stdout).toContain('Setup: 9 of 9 steps done');
    expect(stdout.match(/^ {4}\[x\] /gm)).toHaveLength(9);
    expect(stdout).toContain("Contract: every request and answer matched HubSpot's OpenAPI specs");
    expect(stdout).toMatch(/app health {5}http:\/\/127\.0\.0\.1:\d+\/healthz/);
  }, 90_000);
});
