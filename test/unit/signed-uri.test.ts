import { describe, expect, it } from 'vitest';
import { signedUri } from '../../src/webhooks/signed-uri.js';

describe('signedUri: the URI HubSpot signed is our public address plus the path', () => {
  it('joins the public base and the request path and query, with one slash between them', () => {
    expect(signedUri('https://autopilot.example', '/webhooks/hubspot?x=1')).toBe('https://autopilot.example/webhooks/hubspot?x=1');
    expect(signedUri('https://autopilot.example/', '/webhooks/hubspot')).toBe('https://autopilot.example/webhooks/hubspot');
    expect(signedUri('https://autopilot.example/base/', '/x')).toBe('https://autopilot.example/base/x');
  });

  it('keeps a path that has double slashes inside or at its end', () => {
    expect(signedUri('https://autopilot.example', '/a//b//')).toBe('https://autopilot.example/a//b//');
  });

  it('refuses anything that is not a plain path: absolute form, scheme-relative, authority or asterisk form', () => {
    for (const target of ['http://attacker.example/webhooks/hubspot', '//attacker.example/webhooks/hubspot', 'attacker.example:443', '*', '']) {
      expect(signedUri('https://autopilot.example', target), target).toBeNull();
    }
  });
});
