import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDisplayName } from '../../src/contacts/parse-display-name.js';
import { normalizeEmail } from '../../src/contacts/normalize-email.js';
import { renderTemplate, validateTemplate, type EmailTemplate } from '../../src/email/email-template.js';
import { builtInSnippets, SnippetRegistry } from '../../src/email/snippets.js';
import { portalSnippets } from '../../src/portal/portal-snippets.js';
import { evaluateRules } from '../../src/rules/evaluate-rules.js';
import { ruleSetSchema } from '../../src/rules/rule-schema.js';
import { extensionRoutes } from '../support/extension-routes.js';
import { deliver, event } from '../support/hubspot-client.js';
import { startAppWithSandbox } from '../support/sandbox.js';

/**
 * Property-based fuzzing of everything that arrives from outside: whatever fast-check makes up,
 * the answer is never a 5xx and never a crash, and a refusal says what is wrong. Seeds are fixed
 * so a failure can be replayed; FUZZ_RUNS raises the number of cases per property.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const params = (seed: number) => ({ numRuns: RUNS, seed, endOnFailure: true });

let env: Awaited<ReturnType<typeof startAppWithSandbox>>;
beforeAll(async () => { env = await startAppWithSandbox({ searchDelayMs: 0 }); });
afterAll(async () => { await env.stop(); });

/** A JSON value of any shape, with HubSpot-looking keys mixed in. */
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' },
    fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.bigInt().map(String), fc.constantFrom('__proto__', 'constructor', '9007199254740993', '-1', '0', '1e400'),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('portalId', 'eventId', 'objectId', 'subscriptionType', 'propertyValue', 'occurredAt', '__proto__', 'constructor', 'email', 'contacts', 'settings', 'rules', 'expectedVersion')), tie('value'), { maxKeys: 6 })),
})).value;

/** Events that are nearly right: a real event with one field replaced by something made up. */
const nearlyAnEvent = fc.tuple(fc.constantFrom('eventId', 'portalId', 'objectId', 'subscriptionType', 'occurredAt', 'attemptNumber', 'propertyValue', 'subscriptionId', 'mergedObjectIds', 'messageId'), jsonish)
  .map(([field, value]) => ({ ...event(), [field]: value }));

const clearMessage = (body: Record<string, unknown> | null) => typeof body?.message === 'string' && body.message.length > 0;

describe('a client\'s request id', () => {
  it('is echoed when it looks like one, and replaced by our own when it is long or carries anything else (it goes into every log line of the request)', async () => {
    const idOf = async (sent: string) => (await fetch(`${env.app.url}/healthz`, { headers: { 'x-request-id': sent } })).headers.get('x-request-id');
    expect(await idOf('lb-4f1c.7:2')).toBe('lb-4f1c.7:2');
    for (const hostile of ['x'.repeat(129), 'a b', 'id"}{"level":60', 'a\tb']) {
      const got = await idOf(hostile);
      expect(got).not.toBe(hostile);
      expect(got).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('the webhook edge, fuzzed', () => {
  it('answers a signed body of any shape with 200 or a 4xx that says why, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(jsonish, fc.array(nearlyAnEvent, { minLength: 1, maxLength: 5 }), fc.array(jsonish, { maxLength: 4 })), async (body) => {
      const r = await deliver(env.app.url!, body);
      expect(r.status === 200 || (r.status >= 400 && r.status < 500), `${r.status} for ${JSON.stringify(body).slice(0, 200)}`).toBe(true);
      if (r.status !== 200) expect(clearMessage(r.body), JSON.stringify(r.body)).toBe(true);
    }), params(101));
  });

  it('answers raw bytes that are not JSON with a 4xx', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 300 }), async (raw) => {
      const r = await deliver(env.app.url!, null, { raw });
      expect(r.status === 200 || (r.status >= 400 && r.status < 500), `${r.status} for ${raw.slice(0, 100)}`).toBe(true);
    }), params(102));
  });

  it('refuses made-up signature and timestamp headers with 401, never a 5xx', async () => {
    const body = JSON.stringify([event()]);
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 120 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String), fc.constant(String(Date.now()))), async (signature, timestamp) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      // Header values must be Latin-1 to be sent at all; what fetch cannot send, HubSpot cannot either.
      if (/^[\x20-\x7e]*$/.test(signature)) headers['x-hubspot-signature-v3'] = signature;
      if (/^[\x20-\x7e]*$/.test(timestamp)) headers['x-hubspot-request-timestamp'] = timestamp;
      const res = await fetch(`${env.app.url}/webhooks/hubspot`, { method: 'POST', body, headers });
      expect(res.status).toBe(401);
    }), params(103));
  });
});

describe('the card API, fuzzed', () => {
  const all = extensionRoutes();
  const pathPart = fc.oneof(fc.integer({ min: 1, max: 10_000 }).map(String), fc.constantFrom('0', '-1', '9007199254740993', '1e3', 'abc', '%00', '..', '__proto__', 'x'.repeat(300)));

  it('finds the routes in the router', () => { expect(all.length).toBeGreaterThan(10); });

  it('answers any body and any path parameter on every route with 2xx or a 4xx that says why, never a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom(...all), pathPart, jsonish, async (route, id, body) => {
      const path = route.path.replace(/:(\w+)/g, () => encodeURIComponent(id));
      const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
      const r = await deliver(env.app.url!, null, { method: route.method, path: `/api/extensions${path}?portalId=4242&userEmail=agent%40support.example`, raw: hasBody ? JSON.stringify(body) : '' });
      expect(r.status < 500, `${route.method} ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 200)} for ${JSON.stringify(body).slice(0, 200)}`).toBe(true);
      if (r.status >= 400) expect(clearMessage(r.body), `${route.method} ${path}: ${JSON.stringify(r.body)}`).toBe(true);
    }), params(201));
  });

  it('answers made-up query strings (signed) with 2xx or 4xx, never a 5xx', async () => {
    const query = fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('portalId', 'userId', 'userEmail', 'appId', 'q', 'limit', 'after', 'language')), fc.oneof(fc.string({ maxLength: 30 }), pathPart)), { maxLength: 5 });
    await fc.assert(fc.asyncProperty(fc.constantFrom(...all.filter((r) => r.method === 'GET')), query, async (route, pairs) => {
      const qs = new URLSearchParams(pairs).toString();
      const path = `/api/extensions${route.path.replace(/:(\w+)/g, '1')}?${qs}${qs ? '&' : ''}portalId=4242`;
      const r = await deliver(env.app.url!, null, { method: 'GET', path, raw: '' });
      expect(r.status < 500, `${path} → ${r.status} ${JSON.stringify(r.body)}`).toBe(true);
    }), params(202));
  });
});

describe('templates, rules and addresses, fuzzed', () => {
  const registry = new SnippetRegistry([...builtInSnippets, ...portalSnippets]);
  const templateText = fc.array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('{[', ']}', '{{', '}}', '{{{', '\\{{', '{{> x}}', '{{log "x"}}', '{{#each @root}}', '{[Portal Password]}', '{[Contact First Name]}', '<script>', '&', '\r\n', '{[{[x]}]}')), { maxLength: 12 }).map((xs) => xs.join(''));

  it('renders any admin text as data: an error naming the problem, or the text itself with snippets filled in', () => {
    fc.assert(fc.property(templateText, templateText, (text, subject) => {
      const t: EmailTemplate = { name: 'portal-credentials', language: 'en', subject, text, html: text };
      const problems = validateTemplate(t, registry);
      if (problems.length) {
        expect(problems.every((p) => typeof p === 'string' && p.length > 0)).toBe(true);
        expect(() => renderTemplate(t, registry, {}, {})).toThrow(/cannot be rendered/);
        return;
      }
      const out = renderTemplate(t, registry, { contact: { firstname: '{{x}}' } }, { 'Portal Password': 'L' });
      expect(out.subject).not.toMatch(/[\r\n]/);
      if (!text.includes('{[')) expect(out.text).toBe(text);
    }), { numRuns: 500, seed: 301 });
  });

  it('answers any rule set with a parsed set or messages naming each problem, and evaluates what it accepts', () => {
    const condition = fc.record({ field: fc.constantFrom('title', 'description', 'priority', 'requesterEmail', 'nope'), operator: fc.constantFrom('equals', 'contains', 'matchesRegex', 'anyOf', 'isEmpty', 'x'), value: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('(a+)+$', '(?=x)', '(.{1,100}){1,10}z', '\\')), values: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }) }, { requiredKeys: ['field', 'operator'] });
    const rule = fc.record({ id: fc.oneof(fc.constantFrom('r1', 'r2'), fc.string({ maxLength: 10 })), name: fc.string({ maxLength: 20 }), active: fc.boolean(), position: fc.integer({ min: -5, max: 5 }), ignoreFlow: fc.boolean(), trigger: fc.constantFrom('ticket.created', 'ticket.titleChanged', 'x'), description: fc.string({ maxLength: 5 }), conditions: fc.record({ match: fc.constantFrom('all', 'any', 'some'), conditions: fc.array(condition, { maxLength: 3 }) }), actions: fc.array(fc.oneof(fc.constant({ type: 'sendPortalCredentials' }), fc.record({ type: fc.constantFrom('sendEmail', 'setProperty', 'x'), template: fc.string({ maxLength: 5 }) })), { maxLength: 2 }) });
    fc.assert(fc.property(fc.oneof(fc.record({ version: fc.constant(1), rules: fc.array(rule, { maxLength: 3 }) }), jsonish), fc.string({ maxLength: 200 }), (input, title) => {
      const parsed = ruleSetSchema.safeParse(input);
      if (!parsed.success) {
        expect(parsed.error.issues.every((i) => i.message.length > 0)).toBe(true);
        return;
      }
      const e = evaluateRules(parsed.data, { title }, 'ticket.created');
      expect(e.fired.every((d) => d.matched)).toBe(true);
    }), { numRuns: 500, seed: 302 });
  });

  it('parses any address and display name without throwing; what it accepts is one lower-case address with a domain', () => {
    const address = fc.oneof(fc.emailAddress(), fc.string({ maxLength: 80 }), fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom('@', '@@', '"@"', ' <'), fc.string({ maxLength: 30 })).map((xs) => xs.join('')));
    fc.assert(fc.property(address, fc.boolean(), (raw, stripPlus) => {
      const n = normalizeEmail(raw, { stripPlus });
      if (n) {
        expect(n.email).toBe(`${n.local}@${n.domain}`);
        expect(n.domain).toBe(n.domain.toLowerCase());
        expect(n.email.length).toBeLessThanOrEqual(254);
      }
    }), { numRuns: 1000, seed: 303 });
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.constant(null), fc.constant(undefined)), (raw) => {
      const name = parseDisplayName(raw);
      for (const part of [name.firstname, name.lastname]) if (part !== undefined) expect(part.trim()).toBe(part);
    }), { numRuns: 1000, seed: 304 });
  });
});
