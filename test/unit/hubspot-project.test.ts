import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { translate, translateForLocalDev } from '@hubspot/project-parsing-lib/translate';
import { describe, expect, it } from 'vitest';
import { subscribedTypes } from '../../src/webhooks/subscriptions.js';

const root = resolve(import.meta.dirname, '../..');
const project = JSON.parse(readFileSync(resolve(root, 'hsproject.json'), 'utf8')) as { srcDir: string; platformVersion: string };
const ctx = { projectSourceDir: resolve(root, project.srcDir), platformVersion: project.platformVersion };

describe('the HubSpot project, read by HubSpot\'s own parser', () => {
  it('is on platform 2025.2 and parses without errors', async () => {
    expect(project.platformVersion).toBe('2025.2');
    const local = await translateForLocalDev(ctx, { skipValidation: true });
    const errors = Object.values(local.intermediateRepresentation.intermediateNodesIndexedByUid).flatMap((n) => n.localDev.parsingErrors);
    expect(errors).toEqual([]);
  });

  it('has the app, its webhooks, the settings page, the cards and the workflow actions', async () => {
    const { intermediateRepresentation } = await translate(ctx, { skipValidation: true });
    const nodes = intermediateRepresentation.intermediateNodesIndexedByUid;
    const byUid = Object.fromEntries(Object.entries(nodes).map(([uid, n]) => [uid, n.componentType]));
    expect(byUid).toEqual({
      portal_autopilot_app: 'APPLICATION',
      portal_autopilot_webhooks: 'WEBHOOKS',
      portal_autopilot_settings: 'SETTINGS',
      portal_autopilot_status_card: 'CARD',
      portal_autopilot_company_card: 'CARD',
      portal_autopilot_ticket_card: 'CARD',
      portal_autopilot_helpdesk_ticket_card: 'CARD',
      portal_autopilot_give_portal_access: 'WORKFLOW_ACTION',
      portal_autopilot_send_portal_credentials: 'WORKFLOW_ACTION',
      portal_autopilot_notify_support_contacts: 'WORKFLOW_ACTION',
      portal_autopilot_file_under_company: 'WORKFLOW_ACTION',
    });
  });

  it('subscribes to exactly the event types the server knows', () => {
    const hooks = JSON.parse(readFileSync(resolve(root, 'src/app/webhooks/webhooks-hsmeta.json'), 'utf8')) as {
      config: { subscriptions: Record<string, { subscriptionType: string; propertyName?: string }[]> };
    };
    const all = Object.values(hooks.config.subscriptions).flat();
    expect(new Set(all.map((s) => s.subscriptionType))).toEqual(subscribedTypes);
    expect(all.filter((s) => s.subscriptionType === 'company.propertyChange').map((s) => s.propertyName).sort()).toEqual(['domain', 'hs_additional_domains', 'lifecyclestage']);
    expect(all.find((s) => s.subscriptionType === 'ticket.propertyChange')?.propertyName).toBe('subject');
  });

  it('keeps the server out of the upload but not the app component or the views it imports', () => {
    const ignored = readFileSync(resolve(root, '.hsignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['src/server/', 'src/webhooks/', 'src/sandbox/', 'src/store/']));
    expect(ignored.some((l) => /^(src\/)?(app|extensions|i18n)\b/.test(l))).toBe(false);
  });
});
