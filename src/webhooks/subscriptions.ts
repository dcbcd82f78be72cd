/** The subscription types our webhooks component asks for (src/app/webhooks/webhooks-hsmeta.json). */
export const subscribedTypes = new Set([
  'conversation.creation',
  'conversation.newMessage',
  'ticket.creation',
  'ticket.propertyChange',
  'company.creation',
  'company.deletion',
  'company.propertyChange',
  'contact.creation',
  'contact.deletion',
  'contact.privacyDeletion',
]);
