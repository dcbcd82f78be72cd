import { Alert, Button, LoadingSpinner, StatusTag, Text } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { StatusCardView, type AccountStatus } from '../../src/extensions/status-card-view.js';

const ready = (s: Partial<AccountStatus> = {}) => ({ kind: 'ready' as const, data: { portalId: 42, installed: true, queue: { waiting: 2, active: 1 }, deadLetters: 0, ...s } });

describe('the Portal Autopilot status card', () => {
  it('shows a spinner while loading', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<StatusCardView status={{ kind: 'loading' }} language="en" onRetry={() => {}} />);
    expect(r.find(LoadingSpinner).props.label).toBe('Loading the Portal Autopilot status…');
  });

  it('shows the error and lets the agent try again', () => {
    const r = createRenderer('crm.record.sidebar');
    const onRetry = vi.fn();
    r.render(<StatusCardView status={{ kind: 'error', reason: 'timeout' }} language="en" onRetry={onRetry} />);
    expect(r.find(Alert).text).toContain('could not be loaded: timeout');
    r.find(Button).trigger('onClick');
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('tells the agent the app is not set up yet for an account without an install', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<StatusCardView status={ready({ installed: false })} language="de" onRetry={() => {}} />);
    expect(r.find(Alert).text).toContain('noch nicht eingerichtet');
  });

  it('shows the account, pending events and failures in the agent\'s language', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<StatusCardView status={ready({ deadLetters: 4 })} language="it" onRetry={() => {}} />);
    expect(r.find(StatusTag).text).toBe('Collegato all’account 42');
    expect(r.find(StatusTag).props.variant).toBe('warning');
    expect(r.find(Text).text).toBe('3 eventi in attesa, 4 non riusciti');
  });

  it('on a marketplace install, says how far behind HubSpot\'s webhooks journal is, and why it cannot be read', () => {
    const r = createRenderer('crm.record.sidebar');
    r.render(<StatusCardView status={ready({ journal: { lagSeconds: 3.4, lastReadAt: '2026-12-04T10:00:00Z', lastError: null } })} language="de" onRetry={() => {}} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('Ereignisse aus dem Webhook-Journal von HubSpot: 3 s Rückstand');
    expect(r.findAll(Alert)).toHaveLength(0);
    r.render(<StatusCardView status={ready({ journal: { lagSeconds: null, lastReadAt: null, lastError: 'HubSpot\'s journal answered 503' } })} language="es" onRetry={() => {}} />);
    expect(r.findAll(Text).map((t) => t.text)).toContain('El diario de webhooks de HubSpot aún no se ha leído');
    expect(r.find(Alert).text).toContain('No se pudo leer el diario de webhooks de HubSpot (se vuelve a intentar): HubSpot\'s journal answered 503');
    r.render(<StatusCardView status={ready({ journal: null })} language="en" onRetry={() => {}} />);
    expect(r.findAll(Text)).toHaveLength(1);
  });
});
