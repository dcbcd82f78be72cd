import type { RuleSet } from './rule-schema.js';

/**
 * The articles' rule as they set it ("Ticket Title equals [Portal Credentials]" → send the
 * credentials template to the requester; Active and Ignore Flow yes), with the title in their four
 * languages. Access is granted first, so a requester who had none gets it and then the credentials.
 * Shipped inactive only because it cannot work before the portal can: the app turns it on as soon
 * as the portal is ready (address and access list), unless an admin changed the rules before.
 */
export const CREDENTIALS_RULE_ID = 'portal-credentials';

export const defaultRuleSet: RuleSet = {
  version: 1,
  rules: [{
    id: CREDENTIALS_RULE_ID,
    name: 'Portal credentials',
    description: 'A ticket titled [Portal Credentials] (in any of the four languages) gives the requester portal access and emails their credentials.',
    active: false,
    position: 0,
    ignoreFlow: true,
    trigger: 'ticket.created',
    conditions: {
      match: 'all',
      conditions: [{ field: 'title', operator: 'anyOf', values: ['[Portal Credentials]', '[Portal-Anmeldedaten]', '[Credenziali del Portale]', '[Credenciales del Portal]'], caseSensitive: false }],
    },
    actions: [{ type: 'grantPortalAccess' }, { type: 'sendPortalCredentials' }],
  }],
};
