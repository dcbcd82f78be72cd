import { normalizeEmail } from '../contacts/normalize-email.js';
import { readSupportContacts, type SupportCtx } from './support-contacts.js';

export interface ReportJob { cause: string; template: 'support-issue-report'; contactId: string; ticketId: string; companyId: string; recipient?: { email: string; companyId: string } }

/**
 * The article's issue report: every support contact of the ticket's company gets one email about
 * the new ticket. The company is the one associated with the ticket, else the requester's primary
 * company. The cause names the ticket and the recipient, so the automatic report and the rule
 * action `notifySupportContacts` together send each recipient one email per ticket, whatever
 * HubSpot redelivers; a support contact who raised the ticket is not sent their own report.
 */
export async function reportIssue(ctx: SupportCtx, ticketId: string, queue: (job: ReportJob) => Promise<void>): Promise<{ companyId: string | null; recipients: string[] }> {
  const companies = await ctx.hubspot.request<{ results: { toObjectId: string | number }[] }>(ctx.portalId, 'crm.associations.tickets-companies.get', {
    method: 'GET', path: `/crm/v4/objects/tickets/${ticketId}/associations/companies`,
  });
  const contacts = await ctx.hubspot.request<{ results: { toObjectId: string | number }[] }>(ctx.portalId, 'crm.associations.tickets-contacts.get', {
    method: 'GET', path: `/crm/v4/objects/tickets/${ticketId}/associations/contacts`,
  });
  const requesterId = contacts.results[0] ? String(contacts.results[0].toObjectId) : null;
  let requesterEmail: string | null = null;
  let companyId = companies.results[0] ? String(companies.results[0].toObjectId) : null;
  if (requesterId) {
    const requester = (await ctx.hubspot.call(ctx.portalId, 'crm.contacts.get', (c) => c.crm.contacts.basicApi.getById(requesterId, ['email', 'associatedcompanyid']))).properties;
    requesterEmail = normalizeEmail(requester.email ?? '')?.email ?? null;
    companyId ??= requester.associatedcompanyid ?? null;
  }
  if (!companyId) return { companyId: null, recipients: [] };
  const { contacts: support } = await readSupportContacts(ctx, companyId);
  const recipients: string[] = [];
  for (const c of support) {
    if (c.email === requesterEmail) continue;
    const cause = `issue-report:${ticketId}:${c.email}`;
    await queue(c.kind === 'contact'
      ? { cause, template: 'support-issue-report', contactId: c.contactId, ticketId, companyId }
      : { cause, template: 'support-issue-report', contactId: `company-${companyId}`, ticketId, companyId, recipient: { email: c.email, companyId } });
    recipients.push(c.email);
  }
  return { companyId, recipients };
}
