import type { HubSpotGateway } from '../hubspot/gateway.js';
import type { TicketSnapshot } from '../rules/evaluate-rules.js';

export interface TicketFacts { snapshot: TicketSnapshot; requesterId: string | null }

/** The ticket as the rules see it: its fields, its requester (first associated contact) and company. */
export async function readTicket(portalId: number, ticketId: string, hubspot: HubSpotGateway): Promise<TicketFacts> {
  const ticket = (await hubspot.call(portalId, 'crm.tickets.get', (c) => c.crm.tickets.basicApi.getById(ticketId, ['subject', 'content', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_priority', 'source_type']))).properties;
  const links = await hubspot.call(portalId, 'crm.associations.tickets-contacts.batch.read', (c) => c.crm.associations.v4.batchApi.getPage('tickets', 'contacts', { inputs: [{ id: ticketId }] }));
  const requesterId = links.results[0]?.to[0]?.toObjectId !== undefined ? String(links.results[0]!.to[0]!.toObjectId) : null;
  let email = '';
  let company = '';
  if (requesterId) {
    const contact = (await hubspot.call(portalId, 'crm.contacts.get', (c) => c.crm.contacts.basicApi.getById(requesterId, ['email', 'associatedcompanyid']))).properties;
    email = contact.email ?? '';
    if (contact.associatedcompanyid) {
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
