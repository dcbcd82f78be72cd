import { Alert, Button, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import type { BackfillStatus } from '../../src/companies/backfill.js';
import { CompanyDomainsView } from '../../src/extensions/company-domains-view.js';
import { FilingView } from '../../src/extensions/filing-view.js';

const overview = { kind: 'ready' as const, data: { companyId: '10', domains: [
  { domain: 'acme.example', contacts: 12, alsoOwnedBy: [] },
  { domain: 'acme.test', contacts: 3, alsoOwnedBy: [{ id: '12', name: 'Acme (duplicate)', createdAt: '2022-01-01' }] },
] } };
const run = (s: Partial<BackfillStatus>): BackfillStatus => ({ mode: 'dry-run', companyId: '10', state: 'done', scanned: 40, planned: 5, applied: 0, sample: [], startedAt: '', ...s });

describe('the company card', () => {
  it('lists the domains with their contacts and warns about a domain another company owns', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<CompanyDomainsView overview={overview} backfill={null} language="en" onDryRun={vi.fn()} onApply={vi.fn()} onRetry={vi.fn()} />);
    expect(r.findAll(Text).map((t) => t.text)).toEqual(['acme.example: 12 contacts', 'acme.test: 3 contacts']);
    expect(r.find(Alert).text).toBe('acme.test is also owned by Acme (duplicate)');
  });

  it('offers a dry run first, then applying exactly what it found', () => {
    const onDryRun = vi.fn();
    const onApply = vi.fn();
    const r = createRenderer('crm.record.sidebar');
    r.render(<CompanyDomainsView overview={overview} backfill={null} language="en" onDryRun={onDryRun} onApply={onApply} onRetry={vi.fn()} />);
    r.find(Button).trigger('onClick');
    expect(onDryRun).toHaveBeenCalledOnce();
    r.render(<CompanyDomainsView overview={overview} backfill={run({})} language="en" onDryRun={onDryRun} onApply={onApply} onRetry={vi.fn()} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('5 existing contacts without a company would be filed here.');
    expect(r.find(Button).text).toBe('File 5 contacts under this company');
    r.find(Button).trigger('onClick');
    expect(onApply).toHaveBeenCalledOnce();
  });

  it('shows progress while running and the outcome in German', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<CompanyDomainsView overview={overview} backfill={run({ state: 'running', scanned: 300 })} language="de" onDryRun={vi.fn()} onApply={vi.fn()} onRetry={vi.fn()} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('In Arbeit … 300 Kontakte geprüft.');
    expect(r.find(Button).props.disabled).toBe(true);
    r.render(<CompanyDomainsView overview={overview} backfill={run({ mode: 'apply', applied: 5 })} language="de" onDryRun={vi.fn()} onApply={vi.fn()} onRetry={vi.fn()} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('5 Kontakte diesem Unternehmen zugeordnet.');
  });

  it('tells the agent to add a domain when the company has none', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<CompanyDomainsView overview={{ kind: 'ready', data: { companyId: '1', domains: [] } }} backfill={null} language="en" onDryRun={vi.fn()} onApply={vi.fn()} onRetry={vi.fn()} />);
    expect(r.find(Text).text).toContain('This company has no domain');
  });
});

describe('the contact card\'s filing section', () => {
  const base = { contactId: '5', email: 'ada@acme.test', recorded: true, companyId: '10', companyName: 'Acme', matchedDomain: 'acme.test', reason: 'domain' as const, conflictsWith: [] as string[] };

  it('says which domain put the contact under its company', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<FilingView filing={{ kind: 'ready', data: base }} language="en" onRetry={vi.fn()} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('Filed under Acme because it owns acme.test.');
  });

  it('names the conflict and explains free mail in Spanish', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<FilingView filing={{ kind: 'ready', data: { ...base, conflictsWith: ['12'] } }} language="es" onRetry={vi.fn()} />);
    expect(r.find(Alert).text).toContain('12');
    r.render(<FilingView filing={{ kind: 'ready', data: { ...base, email: 'ada@gmail.com', reason: 'free-mail', companyId: null } }} language="es" onRetry={vi.fn()} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('Sin asignación por dominio: ada@gmail.com es una dirección de correo gratuito.');
  });
});

describe('the contact card\'s email section', () => {
  it('shows what was sent and why something was not, in the agent\'s language', async () => {
    const { EmailLogView } = await import('../../src/extensions/email-log-view.js');
    const { StatusTag } = await import('@hubspot/ui-extensions');
    const r = createRenderer('crm.record.sidebar');
    const emails = [
      { cause: 'a', template: 'portal-credentials' as const, contactId: '5', to: 'ada@acme.example', state: 'sent' as const, transport: 'smtp', language: 'de', at: '2' },
      { cause: 'b', template: 'support-issue-report' as const, contactId: '5', to: 'ada@acme.example', state: 'suppressed' as const, reason: 'the contact unsubscribed from all email', reasonCode: 'unsubscribed' as const, at: '1' },
      { cause: 'c', template: 'portal-credentials' as const, contactId: '5', to: 'ada@acme.example', state: 'failed' as const, reason: 'more than 5 emails to ada@acme.example in one hour: stopped as a possible loop', reasonCode: 'loop-stop' as const, limit: 5, at: '0' },
    ];
    r.render(<EmailLogView emails={{ kind: 'ready', data: { emails } }} language="en" onRetry={vi.fn()} />);
    expect(r.findAll(StatusTag).map((t) => [t.text, t.props.variant])).toEqual([
      ['Portal credentials: sent (through your SMTP server, German)', 'success'],
      ['Issue report to a support contact: not sent, the contact unsubscribed from all email', 'warning'],
      ['Portal credentials: failed, more than 5 emails to this address in one hour: stopped as a possible loop', 'danger'],
    ]);
    r.render(<EmailLogView emails={{ kind: 'ready', data: { emails } }} language="de" onRetry={vi.fn()} />);
    expect(r.findAll(StatusTag).map((t) => t.text)).toEqual([
      'Portal-Zugangsdaten: gesendet (über Ihren SMTP-Server, Deutsch)',
      'Problemmeldung an einen Support-Kontakt: nicht gesendet, der Kontakt hat alle E-Mails abbestellt',
      'Portal-Zugangsdaten: fehlgeschlagen, mehr als 5 E-Mails an diese Adresse in einer Stunde: als mögliche Schleife gestoppt',
    ]);
    r.render(<EmailLogView emails={{ kind: 'ready', data: { emails: [] } }} language="it" onRetry={vi.fn()} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('Nessuna email ancora inviata a questo contatto.');
  });
});
