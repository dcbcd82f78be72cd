import { Alert, Button, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { QuickReplyView, type QuickReplyViewProps } from '../../src/extensions/quick-reply-view.js';

const render = (over: Partial<QuickReplyViewProps> = {}) => {
  const r = createRenderer('helpdesk.sidebar');
  const props: QuickReplyViewProps = { replies: { kind: 'ready', data: { replies: [] } }, language: 'en', onPreview: vi.fn(), onSend: vi.fn(), onRetry: vi.fn(), ...over };
  r.render(<QuickReplyView {...props} />);
  const button = (text: string) => r.findAll(Button).find((b) => b.text === text)!;
  return { r, button, props };
};

describe('the ticket card\'s quick reply with portal credentials', () => {
  it('shows the reply first (where it goes, in which language, that access is given), then sends it once and says so', async () => {
    const onPreview = vi.fn().mockResolvedValue({ channel: 'thread', to: 'lucia@acme.example', language: 'es', needsAccess: true, subject: 'Tu acceso a nuestro portal de clientes', text: 'Hola, Lucía: …' });
    const onSend = vi.fn().mockResolvedValue({ at: '2026-12-03T10:00:00Z', by: 'agent@support.example', channel: 'thread', to: 'lucia@acme.example' });
    const { r, button } = render({ onPreview, onSend });
    button('Preview the reply').trigger('onClick');
    await r.waitFor(() => expect(r.findAll(Text).map((x) => x.text)).toContain('It goes to lucia@acme.example on this ticket\'s conversation, in Spanish.'));
    expect(r.find(Alert).text).toBe('The customer has no portal access yet: sending gives it first.');
    expect(onSend).not.toHaveBeenCalled();
    button('Send this reply').trigger('onClick');
    await r.waitFor(() => expect(r.findAll(Text).map((x) => x.text)).toContain('2026-12-03 10:00 UTC: agent@support.example replied with the portal credentials on the conversation, to lucia@acme.example.'));
    expect(onSend).toHaveBeenCalledOnce();
    expect(onSend.mock.calls[0]![0]).toMatch(/^reply-[\w-]{8,60}$/);
  });

  it('says when the email went instead (no conversation, or the scope is missing), in the agent\'s language', () => {
    const { r } = render({ language: 'de', replies: { kind: 'ready', data: { replies: [
      { at: '2026-12-03T10:00:00Z', by: 'agent@support.example', channel: 'email', to: 'omar@acme.example', why: 'no-thread' },
      { at: '2026-12-03T09:00:00Z', by: 'agent@support.example', channel: 'email', to: 'ines@acme.example', why: 'scope' },
    ] } } });
    const texts = r.findAll(Text).map((x) => x.text);
    expect(texts).toContain('2026-12-03 10:00 UTC: agent@support.example hat die E-Mail mit den Zugangsdaten an omar@acme.example gesendet (keine Konversation zum Antworten).');
    expect(texts.some((x) => x?.includes('conversations.write'))).toBe(true);
  });

  it('says why a preview or a reply failed', async () => {
    const { r, button } = render({ onPreview: vi.fn().mockResolvedValue({ error: 'this ticket has no requester contact' }) });
    button('Preview the reply').trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('The reply was not sent: this ticket has no requester contact'));
  });
});
