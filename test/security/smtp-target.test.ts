import { describe, expect, it } from 'vitest';
import { resolveSmtpTarget } from '../../src/email/smtp-target.js';

const fakeDns = (answers: Record<string, string[]>) => async (h: string) => answers[h] ?? [];

describe('an admin\'s SMTP host cannot point the server into its own network', () => {
  for (const [host, address, range] of [
    ['127.0.0.1', '127.0.0.1', 'loopback'], ['localhost', '127.0.0.1', 'loopback'], ['::1', '::1', 'loopback'],
    ['metadata.internal', '169.254.169.254', 'linkLocal'], ['db.corp', '10.1.2.3', 'private'], ['nas.home', '192.168.1.20', 'private'],
    ['k8s.svc', '172.16.0.9', 'private'], ['mapped.example', '::ffff:127.0.0.1', 'loopback'], ['ula.example', 'fd00::1', 'uniqueLocal'], ['zero.example', '0.0.0.0', 'unspecified'],
  ] as const) {
    it(`refuses ${host} (${address}, ${range})`, async () => {
      await expect(resolveSmtpTarget(host, [], fakeDns({ [host]: [address] }))).rejects.toThrow(`a ${range} address inside the server's network`);
    });
  }

  it('refuses a name when any of its addresses is internal, and connects to the checked address of a public one', async () => {
    await expect(resolveSmtpTarget('mixed.example', [], fakeDns({ 'mixed.example': ['93.184.216.34', '10.0.0.5'] }))).rejects.toThrow('10.0.0.5');
    expect(await resolveSmtpTarget('smtp.example', [], fakeDns({ 'smtp.example': ['151.101.1.69'] }))).toBe('151.101.1.69');
    expect(await resolveSmtpTarget('8.8.8.8', [])).toBe('8.8.8.8');
  });

  it('allows what the operator\'s allow-list names, by host or by address', async () => {
    expect(await resolveSmtpTarget('mail.local', ['mail.local'], fakeDns({ 'mail.local': ['10.0.0.25'] }))).toBe('10.0.0.25');
    expect(await resolveSmtpTarget('127.0.0.1', ['127.0.0.1'])).toBe('127.0.0.1');
  });
});
