import type { RuleSet } from './rule-schema.js';

/**
 * Shipped inactive: the articles' rule, with the title in their four languages. Until the portal
 * capability can send credentials it answers with the "request received" email.
 */
export const defaultRuleSet: RuleSet = {
  version: 1,
  rules: [{
    id: 'portal-credentials',
    name: 'Portal credentials',
    description: 'A ticket titled [Portal Credentials] (in any of the four languages) emails the requester.',
    active: false,
    position: 0,
    ignoreFlow: false,
    trigger: 'ticket.created',
    conditions: {
      match: 'all',
      conditions: [{ field: 'title', operator: 'anyOf', values: ['[Portal Credentials]', '[Portal-Anmeldedaten]', '[Credenziali del Portale]', '[Credenciales del Portal]'], caseSensitive: false }],
    },
    actions: [{ type: 'sendEmail', template: 'request-received' }],
  }],
};
