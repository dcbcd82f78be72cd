import { readFileSync } from 'node:fs';

/**
 * The scopes the app asks HubSpot for, read from the app's own component file, so an OAuth install
 * can never ask for fewer than the project declares (one source of truth).
 */
// The HubSpot project's own file, read from the source tree: the same path from src/auth (tsx) and
// from dist/auth (npm start), since the build does not copy the project (src/app) into dist.
const meta = JSON.parse(readFileSync(new URL('../../src/app/app-hsmeta.json', import.meta.url), 'utf8')) as { config: { auth: { requiredScopes: string[]; optionalScopes?: string[] } } };

export const requiredScopes: readonly string[] = meta.config.auth.requiredScopes;
export const optionalScopes: readonly string[] = meta.config.auth.optionalScopes ?? [];
/** What an OAuth install asks for by default: `oauth` and every required scope of app-hsmeta.json. */
export const defaultInstallScopes = ['oauth', ...requiredScopes].join(' ');
