import type { HubSpotSandbox } from '../sandbox/hubspot-sandbox.js';
import { accountSetupTasks, provisionAccount } from './provision-account.js';
import type { Runtime } from './runtime.js';
import { afterSettingsSaved } from './routes/extensions-setup-routes.js';

/**
 * What an admin does to put the customer portal behind the app, played against the sandbox (demo,
 * tests, benchmarks): run the setup (the access list), tell the app the portal's address, register
 * the portal's redirect URI, and enter the app's issuer, client id and secret on HubSpot's SSO screen.
 */
export async function connectSandboxPortal(runtime: Runtime, sandbox: HubSpotSandbox, portalId: number, portal: { onboardNewContacts?: boolean; passwordMode?: 'link' | 'temporary' } = {}) {
  await provisionAccount(portalId, runtime.hubspot, runtime.store, accountSetupTasks(runtime.settings, runtime.store));
  const current = await runtime.settings.read(portalId);
  const saved = await runtime.settings.save(portalId, {
    ...current.settings,
    portal: { ...current.settings.portal, portalUrl: sandbox.portal.portalUrl(portalId), onboardNewContacts: portal.onboardNewContacts ?? true, passwordMode: portal.passwordMode ?? 'link' },
  }, current.version, 'admin');
  await afterSettingsSaved(runtime, portalId, saved.settings);
  const client = await runtime.portal.clients.save(portalId, [sandbox.portal.redirectUri(portalId)]);
  sandbox.portal.configure(portalId, { issuer: runtime.portal.issuer, clientId: client.clientId, clientSecret: client.clientSecret, accessListId: saved.settings.portal.accessListId! });
  return client;
}
