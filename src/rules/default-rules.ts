import type { RuleSet } from './rule-schema.js';

/**
 * Shipped inactive: the articles' rule ("Ticket Title equals [Portal Credentials]" → send the
 * credentials template to the requester), with the title in their four languages. Access is
 * granted first, so a requester who had none gets it and then the credentials.
 */
export const defaultRuleSet: RuleSet = {
  version: 1,
  rules: [{
    id: 'portal-credentials',
    name: 'Portal credentials',
    description: 'A ticket titled [Portal Credentials] (in any of the four languages) gives the requester portal access and emails their credentials.',
    active: false,
    position: 0,
    ignoreFlow: false,
    trigger: 'ticket.created',
    conditions: {
      match: 'all',
      conditions: [{ field: 'title', operator: 'anyOf', values: ['[Portal Credentials]', '[Portal-Anmeldedaten]', '[Credenziali del Portale]', '[Credenciales del Portal]'], caseSensitive: false }],
    },
    actions: [{ type: 'grantPortalAccess' }, { type: 'sendPortalCredentials' }],
  }],
};
