/**
 * The templates an account sending through HubSpot's transactional email needs a HubSpot email
 * for: the sign-in code's only when the sign-in by email code is on. Shared by the settings
 * page (its fields) and the setup checklist (its "email" step); no React, so the server can use it.
 */
export function hubspotTemplates(emailCode: boolean): ('portal-credentials' | 'portal-reset' | 'support-issue-report' | 'portal-sign-in-code')[] {
  return ['portal-credentials', 'portal-reset', 'support-issue-report', ...(emailCode ? ['portal-sign-in-code' as const] : [])];
}
