/** HubSpot-defined association type ids we use (HUBSPOT-FACTS.md; crm/v4 associations). */
export const associationTypes = {
  contactToCompanyUnlabeled: 279,
  contactToCompanyPrimary: 1,
  emailToContact: 198,
} as const;

/** `batch/create` inputs that make each company its contact's primary company. */
export function primaryCompanyInputs(pairs: { contactId: string; companyId: string }[]) {
  return pairs.map((p) => ({
    _from: { id: p.contactId }, to: { id: p.companyId },
    types: [
      { associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: associationTypes.contactToCompanyUnlabeled },
      { associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: associationTypes.contactToCompanyPrimary },
    ],
  }));
}
