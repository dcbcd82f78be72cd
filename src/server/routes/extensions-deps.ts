import type { RequestHandler } from 'express';
import type { DeadLetters } from '../../queue/dead-letters.js';
import type { DomainIndexCache } from '../../companies/domain-index-cache.js';
import type { Email } from '../../email/create-email.js';
import type { EventQueue } from '../../queue/event-queue.js';
import type { HubSpotGateway } from '../../hubspot/gateway.js';
import type { Portal } from '../../portal/create-portal.js';
import type { RuleRepository } from '../../tickets/rule-repository.js';
import type { SettingsRepository } from '../../settings/settings-repository.js';
import type { Store } from '../../store/store.js';

/** What the card API's routes use; built once by the runtime. */
export interface ExtensionsDeps {
  settings: SettingsRepository;
  store: Store;
  queue: EventQueue;
  deadLetters: DeadLetters;
  hubspot: HubSpotGateway;
  isInstalled: (portalId: number) => Promise<boolean>;
  uninstall: (portalId: number) => Promise<void>;
  index: DomainIndexCache;
  email: Email;
  rules: RuleRepository;
  portal: Portal;
  /** The app reads HubSpot's Webhooks Journal (WEBHOOKS_JOURNAL): the status card shows its lag. */
  journalOn?: boolean;
  /** HUBSPOT_ADMIN_USER_IDS: admins of the app in every account. */
  operatorAdmins: readonly number[];
  /** Set by extensionsApi: lets only an admin of the app through (routes that change the account's setup). */
  admin?: RequestHandler;
}
