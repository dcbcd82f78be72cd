import { randomBytes } from 'node:crypto';
import type { FaultConfig } from './faults.js';
import { HubSpotSandbox } from './hubspot-sandbox.js';

/**
 * npm run sandbox: a local HubSpot for trying the app in production mode end to end.
 * SANDBOX_PORT (4010), SANDBOX_PORTAL_ID (4242), SANDBOX_WEBHOOK_URL (http://127.0.0.1:3000/webhooks/hubspot),
 * SANDBOX_CLIENT_SECRET (must equal the app's HUBSPOT_CLIENT_SECRET; made up and printed when absent),
 * SANDBOX_TOKEN (made up and printed when absent), SANDBOX_RATE_LIMIT_PER_10S (110),
 * SANDBOX_FAULTS (JSON fault rules with a seed, see faults.ts).
 */
const port = Number(process.env.SANDBOX_PORT ?? 4010);
const portalId = Number(process.env.SANDBOX_PORTAL_ID ?? 4242);
const secret = process.env.SANDBOX_CLIENT_SECRET ?? randomBytes(16).toString('hex');
const targetUrl = process.env.SANDBOX_WEBHOOK_URL ?? 'http://127.0.0.1:3000/webhooks/hubspot';

// SANDBOX_FAULTS='{"seed":7,"rules":[{"pathPrefix":"/crm","error5xxRate":0.1,"error429Rate":0.05,"latencyMs":50}]}'
const faults = process.env.SANDBOX_FAULTS ? (JSON.parse(process.env.SANDBOX_FAULTS) as FaultConfig) : undefined;
const rateLimitPer10s = process.env.SANDBOX_RATE_LIMIT_PER_10S ? Number(process.env.SANDBOX_RATE_LIMIT_PER_10S) : undefined;
const otherIntegrationPer10s = process.env.SANDBOX_OTHER_INTEGRATION_PER_10S ? Number(process.env.SANDBOX_OTHER_INTEGRATION_PER_10S) : undefined;
const sandbox = new HubSpotSandbox({ webhook: { targetUrl, clientSecret: secret }, faults, rateLimitPer10s, otherIntegrationPer10s });
const account = sandbox.addAccount(portalId, process.env.SANDBOX_TOKEN);
await sandbox.start(port);
console.log(`HubSpot sandbox on ${sandbox.url} (account ${portalId}); webhooks go to ${targetUrl}`);
console.log(`contract checks against spec/hubspot-openapi: ${sandbox.validatesContract ? 'on' : 'off (folder not found)'}`);
console.log('Start the app against it in another terminal:');
console.log(`  REDIS_URL=redis://127.0.0.1:6379 HUBSPOT_API_BASE_URL=${sandbox.url} HUBSPOT_PORTAL_ID=${portalId} HUBSPOT_ACCESS_TOKEN=${account.token} HUBSPOT_CLIENT_SECRET=${secret} PUBLIC_BASE_URL=http://127.0.0.1:3000 npm start`);
console.log(`Look at it, add companies and make emails arrive: ${sandbox.url}/_console`);
console.log('Or make an email arrive from the shell:');
console.log(`  curl -s -XPOST ${sandbox.url}/_sandbox/inbound-email -H 'content-type: application/json' -d '{"portalId":${portalId},"from":"ada@acme.example","name":"Ada Lovelace","subject":"Login","text":"Hello"}'`);
process.once('SIGINT', () => { void sandbox.stop().then(() => process.exit(0)); });
process.once('SIGTERM', () => { void sandbox.stop().then(() => process.exit(0)); });
