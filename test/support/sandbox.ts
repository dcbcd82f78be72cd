import { expect } from 'vitest';
import { HubSpotSandbox, type SandboxOptions } from '../../src/sandbox/hubspot-sandbox.js';

export const SANDBOX_PORTAL = 4242;
export const SANDBOX_TOKEN = 'sandbox-test-token';

export async function startSandbox(options: SandboxOptions = {}) {
  const sandbox = new HubSpotSandbox(options);
  sandbox.addAccount(SANDBOX_PORTAL, SANDBOX_TOKEN);
  await sandbox.start();
  expect(sandbox.validatesContract, 'shared/hubspot-openapi must sit beside the repository').toBe(true);
  return sandbox;
}

/** Every request the app sent and every answer the sandbox gave fit HubSpot's official specs. */
export function expectContractKept(sandbox: HubSpotSandbox): void {
  expect(sandbox.violations).toEqual([]);
}

export async function hs(sandbox: HubSpotSandbox, method: string, path: string, body?: unknown, token = SANDBOX_TOKEN) {
  const res = await fetch(`${sandbox.url}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}
