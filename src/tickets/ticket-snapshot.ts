import type { HubSpotGateway } from '../hubspot/gateway.js';
import type { TicketSnapshot } from '../rules/evaluate-rules.js';

export interface TicketFacts { snapshot: TicketSnapshot; requesterId: string | null }

export interface TicketNeeds { requester: boolean; company: boolean }

/**
 * The ticket as the rules see it: its fields, its requester (first associated contact) and company.
 * The requester and company cost a call each, so they are read only when a rule needs them.
 */
export async function readTicket(portalId: number, ticketId: string, hubspot: HubSpotGateway, needs: TicketNeeds = { requester: true, company: true }): Promise<TicketFacts> {
  const ticket = (await hubspot.call(portalId, 'crm.tickets.get', (c) => c.crm.tickets.basicApi.getById(ticketId, ['subject', 'content', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_priority', 'source_type']))).properties;
  let requesterId: string | null = null;
  if (needs.requester || needs.company) {
    const links = await hubspot.call(portalId, 'crm.associations.tickets-contacts.batch.read', (c) => c.crm.associations.v4.batchApi.getPage('tickets', 'contacts', { inputs: [{ id: ticketId }] }));
    requesterId = links.results[0]?.to[0]?.toObjectId !== undefined ? String(links.results[0]!.to[0]!.toObjectId) : null;
  }
  let email = '';
  let company = '';
  if (requesterId && (needs.requester || needs.company)) {
    const contact = (await hubspot.call(portalId, 'crm.contacts.get', (c) => c.crm.contacts.basicApi.getById(requesterId, ['email', 'associatedcompanyid']))).properties;
    email = contact.email ?? '';
    if (needs.company && contact.associatedcompanyid) {
      company = (await hubspot.call(portalId, 'crm.companies.get', (c) => c.crm.companies.basicApi.getById(contact.associatedcompanyid!, ['name']))).properties.name ?? '';
    }
  }
  return {
    requesterId,
    snapshot: {
      title: ticket.subject ?? '', description: ticket.content ?? '', pipeline: ticket.hs_pipeline ?? '', stage: ticket.hs_pipeline_stage ?? '',
      priority: ticket.hs_ticket_priority ?? '', source: ticket.source_type ?? '', requesterEmail: email,
      requesterDomain: email.split('@')[1] ?? '', company,
    },
  };
}
