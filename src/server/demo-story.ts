import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { HubSpotSandbox } from '../sandbox/hubspot-sandbox.js';
import { loadConfig } from './config.js';
import { createLogger } from '../platform/logger.js';
import { countBy } from '../platform/metrics.js';
import { createRuntime, type Runtime } from './runtime.js';
import { connectSandboxPortal } from './portal-setup.js';
import { HttpBrowser } from '../sandbox/http-browser.js';
import { ticketRuns } from '../tickets/run-ticket-rules.js';
import { keys } from '../store/keys.js';
import { saveSupportContacts } from '../support-contacts/support-contacts.js';
import { checklistLines, sendTestEmail, setupChecklist } from './setup-checklist.js';
import { signV3 } from '../webhooks/sign-request.js';

export const DEMO_PORTAL = 4242;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
  });
}

export interface DemoRun { runtime: Runtime; sandbox: HubSpotSandbox; summary: string; stop: () => Promise<void> }

/**
 * The app's main job on its embedded default: the app (no Redis) against the HubSpot sandbox,
 * seeded with companies that own domains, then a short story of inbound emails and a ticket.
 */
export async function runDemo(options: { signInAsAda?: boolean } = {}): Promise<DemoRun> {
  // Made up for this run only and never written anywhere: the sandbox and the app share them.
  const clientSecret = randomBytes(16).toString('hex');
  const sandbox = new HubSpotSandbox({ searchDelayMs: 1000 });
  const account = sandbox.addAccount(DEMO_PORTAL);
  await sandbox.start();

  const port = await freePort();
  const config = loadConfig({
    PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, HUBSPOT_API_BASE_URL: sandbox.url,
    HUBSPOT_ACCESS_TOKEN: account.token, HUBSPOT_CLIENT_SECRET: clientSecret, LOG_LEVEL: 'warn', HUBSPOT_BATCH_WINDOW_MS: '300',
  });
  const runtime = createRuntime(config, { log: createLogger('warn') });
  await runtime.start(port);
  sandbox.connectWebhooks({ targetUrl: `${config.publicBaseUrl}/webhooks/hubspot`, clientSecret });
  // The admin puts the customer portal behind the app (access list, portal address, SSO client)
  // and turns on "onboard new contacts".
  await connectSandboxPortal(runtime, sandbox, DEMO_PORTAL, { onboardNewContacts: true });
  // The console (the sandbox's page) shows what the app knows beside HubSpot's side.
  sandbox.showAppOnConsole({
    filing: async (contactId) => { const raw = await runtime.store.get(keys.contactFiling(DEMO_PORTAL, contactId)); return raw ? JSON.parse(raw) as { companyId: string | null; matchedDomain?: string; reason: string } : null; },
    portalAccess: async (contactId) => (await runtime.portal.accounts.get(DEMO_PORTAL, contactId))?.state ?? 'none',
    ruleRuns: (ticketId) => ticketRuns(runtime.store, DEMO_PORTAL, ticketId),
    mailbox: () => runtime.email.outbox.mailbox(DEMO_PORTAL),
  });

  // The account as the admin has it before installing: companies that own domains, one known contact.
  const seedCompanies: Record<string, string>[] = [
    { name: 'Acme Corporation', domain: 'acme.example', hs_additional_domains: 'acme.test;acme-support.example' },
    { name: 'Globex', domain: 'eu.globex.example' },
    { name: 'Unassigned', domain: '' },
  ];
  for (const c of seedCompanies) sandbox.seed(DEMO_PORTAL, 'companies', c);
  const grace = sandbox.seed(DEMO_PORTAL, 'contacts', { email: 'grace@acme.example', firstname: 'Grace', lastname: 'Hopper' });
  // Acme is a customer whose support contact is Grace: every issue report of Acme goes to her.
  const acme = account.objects.companies!.all().find((c) => c.properties.name === 'Acme Corporation')!;
  account.objects.companies!.update(acme.id, { lifecyclestage: 'customer' });
  await saveSupportContacts({ portalId: DEMO_PORTAL, hubspot: runtime.hubspot, store: runtime.store, settings: (await runtime.settings.read(DEMO_PORTAL)).settings },
    acme.id, [{ kind: 'contact', contactId: grace.id, email: 'grace@acme.example' }], 'demo admin');
  const contactsBefore = new Set(account.objects.contacts!.all().map((c) => c.id));
  // The admin picks "Unassigned" as the default company (the articles' home for senders no company owns).
  // The shipped "Portal credentials" rule went on by itself when the portal was ready.
  const unassigned = account.objects.companies!.all().find((c) => c.properties.name === 'Unassigned')!;
  const before = await runtime.settings.read(DEMO_PORTAL);
  await runtime.settings.save(DEMO_PORTAL, { ...before.settings, inbound: { ...before.settings.inbound, defaultCompanyId: unassigned.id } }, before.version, 'demo admin');

  const story: string[] = [];
  const t1 = sandbox.inboundEmail(DEMO_PORTAL, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Cannot log in', text: 'Hello, I cannot log in to the portal.' });
  story.push(`ada@acme.example (new, Acme's main domain) writes "Cannot log in"  → thread ${t1.threadId}`);
  const t2 = sandbox.inboundEmail(DEMO_PORTAL, { from: 'ada@acme.example', name: 'Ada Lovelace', subject: 'Still stuck', text: 'Any news?' });
  story.push(`ada@acme.example writes again on a new thread                       → thread ${t2.threadId}`);
  const t3 = sandbox.inboundEmail(DEMO_PORTAL, { from: 'linus@acme.test', name: 'Torvalds, Linus', subject: 'Invoice', text: 'Where is my invoice?' });
  story.push(`linus@acme.test (new, an additional domain of Acme) writes           → thread ${t3.threadId}`);
  const t4 = sandbox.inboundEmail(DEMO_PORTAL, { from: 'hedy@eu.globex.example', name: 'Hedy Lamarr', subject: 'Question', text: 'Hi' });
  story.push(`hedy@eu.globex.example (new, Globex's subdomain) writes               → thread ${t4.threadId}`);
  const t5 = sandbox.inboundEmail(DEMO_PORTAL, { from: 'grace@acme.example', name: 'Grace Hopper', subject: 'Thanks', text: 'Thank you!' });
  story.push(`grace@acme.example (already a contact) writes                        → thread ${t5.threadId}`);
  const t6 = sandbox.inboundEmail(DEMO_PORTAL, { from: 'margaret@gmail.com', name: 'Margaret Hamilton', subject: 'Hello', text: 'Hello from free mail' });
  story.push(`margaret@gmail.com (new, free-mail) writes                           → thread ${t6.threadId}`);
  // An agent adds a customer by hand in HubSpot (the article: credentials "after the automatic or manual creation").
  const globex = account.objects.companies!.all().find((c) => c.properties.name === 'Globex')!;
  const katherine = sandbox.createContact(DEMO_PORTAL, { email: 'katherine@eu.globex.example', firstname: 'Katherine', lastname: 'Johnson' }, 'CRM_UI');
  account.associate('contacts', katherine.id, 'companies', globex.id, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }]);
  story.push(`an agent creates katherine@eu.globex.example in HubSpot by hand (Globex)   → contact ${katherine.id}`);
  sandbox.agentReply(DEMO_PORTAL, t1.threadId, 'We are looking into it.');
  story.push(`an agent replies to Ada on thread ${t1.threadId}`);
  await sandbox.webhooks!.drain();
  await runtime.queue.idle(60_000);
  const ada = account.objects.contacts!.all().find((c) => c.properties.email === 'ada@acme.example')!;
  const ticket = sandbox.createTicket(DEMO_PORTAL, { subject: '[Portal Credentials]', content: 'Please send Ada her portal credentials.' }, ada.id);
  story.push(`an agent creates ticket ${ticket.id} titled "[Portal Credentials]" for Ada (the shipped rule is on)`);

  await sandbox.webhooks!.drain();
  await runtime.queue.idle(60_000);
  // Hedy's conversation became a help desk ticket; her agent answers it with the portal credentials
  // from the ticket card (the article's manual process), after a preview.
  const hedyTicket = sandbox.ticketFromThread(DEMO_PORTAL, t4.threadId, {});
  await sandbox.webhooks!.drain();
  await runtime.queue.idle(60_000);
  const card = async (path: string, body: unknown) => {
    const query = `portalId=${DEMO_PORTAL}&userId=7&userEmail=${encodeURIComponent('agent@support.example')}`;
    const url = `${config.publicBaseUrl}/api/extensions${path}?${query}`;
    const text = JSON.stringify(body);
    const res = await fetch(url, { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...signV3(clientSecret, 'POST', url, text, Date.now()) } });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  };
  const replyPreview = await card(`/tickets/${hedyTicket.id}/portal-reply/preview`, {});
  const quickReply = await card(`/tickets/${hedyTicket.id}/portal-reply`, { requestId: 'demo-reply-0001' });
  story.push(`an agent answers Hedy's ticket ${hedyTicket.id} with "Reply with portal credentials" (preview: ${String(replyPreview.body.channel)}, ${String(replyPreview.body.language)})`);
  await sandbox.webhooks!.drain();
  await runtime.queue.idle(60_000);

  const events = await countBy(runtime.metrics.webhookEvents, 'outcome');
  const jobs = await countBy(runtime.metrics.jobs, 'outcome');
  const waitingFor = (await runtime.metrics.jobs.get()).values.filter((v) => v.labels.outcome === 'unhandled')
    .map((v) => `${v.labels.subscription_type} ×${v.value}`).join(', ');
  const created = account.objects.contacts!.all().filter((c) => !contactsBefore.has(c.id));
  const companies = new Map(account.objects.companies!.all().map((c) => [c.id, c.properties.name]));
  const filed = created.map((c) => {
    const to = account.associationsOf('contacts', c.id, 'companies')[0];
    return `    ${c.properties.email} → ${to ? companies.get(to.toObjectId) : 'no company'}`;
  });
  const calls = Object.entries(sandbox.callsByRoute()).sort(([a], [b]) => a.localeCompare(b));
  const outbox = [...await runtime.email.outbox.list(DEMO_PORTAL), ...account.transactionalSends];
  const runs = await ticketRuns(runtime.store, DEMO_PORTAL, ticket.id);
  const reports = (await runtime.email.outbox.list(DEMO_PORTAL)).filter((m) => m.template === 'support-issue-report');
  const fired = runs.flatMap((r) => r.decisions.filter((d) => d.fired).map((d) => `    ticket ${ticket.id}: rule "${d.name}" fired → ${r.actions.filter((a) => a.ruleId === d.ruleId).map((a) => `${a.type} ${a.delivered?.state ?? a.status}`).join(', ')}`));
  const adaMail = (await runtime.email.outbox.mailbox(DEMO_PORTAL)).find((m) => m.to === 'ada@acme.example');
  const adaLink = adaMail ? /https?:\/\/\S+\/set-password\/[\w-]{43}/.exec(adaMail.text)?.[0] : undefined;
  const portalUrl = sandbox.portal.portalUrl(DEMO_PORTAL);
  const signIn: string[] = [];
  if (adaLink && options.signInAsAda) {
    // Ada opens the newest link, chooses a password, then signs in to the customer portal.
    const browser = new HttpBrowser();
    await browser.get(adaLink);
    await browser.submit({ password: 'analytical engine 1843', confirm: 'analytical engine 1843' });
    await browser.get(portalUrl);
    await browser.submit({ email: 'ada@acme.example', password: 'analytical engine 1843' });
    const tickets = /Your tickets \((\d+)\)/.exec(browser.text())?.[1];
    signIn.push(tickets !== undefined && browser.url === portalUrl
      ? `Ada signed in to the customer portal and sees ${tickets} ticket${tickets === '1' ? '' : 's'}`
      : `Ada could not sign in: ended at ${browser.url} (${browser.status}): ${browser.text().slice(0, 200)}`);
  } else if (adaLink) {
    signIn.push('Sign in as Ada yourself:', `    1. open her newest set-password link  ${adaLink}`, '    2. choose a password', `    3. open the customer portal           ${portalUrl}`);
  }
  // The admin finishes the setup: customers' emails go through HubSpot's transactional email from
  // now on (the story above used the outbox, so its emails are printed here), and a test email to the admin checks it.
  const finishing = await runtime.settings.read(DEMO_PORTAL);
  await runtime.settings.save(DEMO_PORTAL, { ...finishing.settings, email: { ...finishing.settings.email, transport: 'hubspot', hubspotEmailIds: { 'portal-credentials': 1001, 'portal-reset': 1003, 'support-issue-report': 1002 } } }, finishing.version, 'demo admin');
  const test = await sendTestEmail(runtime, DEMO_PORTAL, 'admin@support.example');
  const checklist = await setupChecklist({
    store: runtime.store, settings: runtime.settings, rules: runtime.rules, clients: runtime.portal.clients, hubspot: runtime.hubspot, issuer: runtime.portal.issuer,
    smtpPasswordSet: async () => false,
  }, DEMO_PORTAL);
  const lines = [
    `Portal Autopilot demo: embedded mode (no Redis), HubSpot sandbox account ${DEMO_PORTAL}`,
    '',
    'Story:',
    ...story.map((s, i) => `  ${i + 1}. ${s}`),
    '',
    `Events received: ${Object.values(events).reduce((a, b) => a + b, 0)} (queued ${events.queued ?? 0}, duplicates ${events.duplicate ?? 0})`,
    `Events processed: ${Object.values(jobs).reduce((a, b) => a + b, 0)}, internal "contact onboarded" events included (handled ${jobs.done ?? 0}, failed ${jobs.failed ?? 0})`,
    `  no capability for these yet: ${waitingFor || 'none'}`,
    `Dead letters: ${(await runtime.deadLetters.list()).length}`,
    'HubSpot calls by endpoint:',
    ...(calls.length ? calls.map(([route, n]) => `    ${String(n).padStart(4)}  ${route}`) : ['    none']),
    `Contacts created: ${created.length}`,
    ...filed,
    'Rules:',
    ...(fired.length ? fired : ['    none fired']),
    `Quick reply: ${quickReply.status === 201 && quickReply.body.channel === 'thread' ? `the portal credentials went to ${String(quickReply.body.to)} on the conversation of ticket ${hedyTicket.id} (thread ${t4.threadId})` : `not sent (${quickReply.status}: ${JSON.stringify(quickReply.body).slice(0, 200)})`}`,
    `Issue reports: ${reports.length ? reports.map((m) => `"${m.subject}" to ${m.to}`).join('; ') : 'none'}`,
    `Emails sent: ${outbox.length} (outbox)`,
    ...outbox.map((m) => `    to ${'to' in m ? m.to : ''}: "${'subject' in m ? m.subject : ''}"`),
    `Portal accounts: ${(await runtime.portal.accounts.getMany(DEMO_PORTAL, created.map((c) => c.id))).filter(Boolean).length} of ${created.length} new contacts (access list ${(await runtime.settings.read(DEMO_PORTAL)).settings.portal.accessListId})`,
    ...signIn,
    '',
    `The admin chose HubSpot transactional email and sent a test email to admin@support.example: ${test.ok ? 'sent' : `failed (${test.reason})`}`,
    ...checklistLines(checklist),
    `Contract: ${sandbox.validatesContract ? (sandbox.violations.length ? `${sandbox.violations.length} violation(s) of HubSpot's specs:\n${sandbox.violations.map((v) => `    ${v}`).join('\n')}` : "every request and answer matched HubSpot's OpenAPI specs") : 'not checked (spec/hubspot-openapi not found)'}`,
    '',
    `Open the console: ${sandbox.url}/_console   (contacts and why they are filed where they are, tickets and their rules, every email as the customer sees it)`,
    '',
    'Also:',
    `    app health     ${runtime.url}/healthz`,
    `    app metrics    ${runtime.url}/metrics`,
    `    sandbox calls  ${sandbox.url}/_sandbox/calls`,
    `    customer portal ${portalUrl}`,
    `    sign-in (OIDC)  ${runtime.portal.issuer}/.well-known/openid-configuration`,
  ];
  return {
    runtime, sandbox, summary: lines.join('\n'),
    stop: async () => { await runtime.stop(); await sandbox.stop(); },
  };
}
