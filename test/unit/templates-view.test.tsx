import { Alert, Button, Input, Select, Text, TextArea } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it, vi } from 'vitest';
import { defaultTemplate } from '../../src/email/default-templates.js';
import { TemplatesView, type TemplatesPayload, type TemplatesViewProps } from '../../src/extensions/templates-view.js';

const data: TemplatesPayload = {
  templates: [
    { ...defaultTemplate('portal-credentials', 'en'), customised: false },
    { ...defaultTemplate('portal-credentials', 'de'), customised: true },
  ],
  snippets: [{ name: 'Portal Address', shown: 'Portal Address', secret: false }, { name: 'Portal Password', shown: 'Portal Password', secret: true }],
};
const props = (over: Partial<TemplatesViewProps> = {}): TemplatesViewProps => ({
  payload: { kind: 'ready', data }, language: 'en', onSave: vi.fn(), onRestore: vi.fn(), onPreview: vi.fn(), onRetry: vi.fn(), ...over,
});
function render(p: TemplatesViewProps) {
  const r = createRenderer('settings');
  r.render(<TemplatesView {...p} />);
  return { r, button: (label: string) => r.findAll(Button).find((b) => b.text === label)! };
}

describe('the templates section of the settings page', () => {
  it('lists the templates per language, marking edited ones, with the snippets to use', () => {
    const { r } = render(props());
    expect(r.find(Select).props.options).toEqual([
      { value: 'portal-credentials:en', label: 'portal-credentials · en' },
      { value: 'portal-credentials:de', label: 'portal-credentials · de (edited)' },
    ]);
    expect(r.findAll(Text)[0]!.text).toBe('Snippets: {[Portal Address]} {[Portal Password]}');
  });

  it('saves the edited German template and shows why a save was refused', async () => {
    const onSave = vi.fn().mockResolvedValueOnce({ ok: false, message: 'text: unknown snippet {[Shoe Size]}' }).mockResolvedValueOnce({ ok: true });
    const { r, button } = render(props({ onSave }));
    r.find(Select).trigger('onChange', 'portal-credentials:de' as never);
    expect(r.find(Input, { name: 'subject' }).props.value).toBe('Ihr Zugang zu unserem Kundenportal');
    r.find(TextArea, { name: 'text' }).trigger('onChange', 'Size: {[Shoe Size]}' as never);
    button('Save template').trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('text: unknown snippet {[Shoe Size]}'));
    expect(onSave).toHaveBeenCalledWith('portal-credentials', 'de', expect.objectContaining({ text: 'Size: {[Shoe Size]}' }));
    button('Save template').trigger('onClick');
    await r.waitFor(() => expect(r.find(Alert).text).toBe('Template saved.'));
  });

  it('restores the shipped text into the editor', async () => {
    const shipped = { ...defaultTemplate('portal-credentials', 'en'), customised: false };
    const { r, button } = render(props({ onRestore: vi.fn().mockResolvedValue({ ok: true, template: shipped }) }));
    r.find(Input, { name: 'subject' }).trigger('onChange', 'Changed' as never);
    button('Restore the shipped text').trigger('onClick');
    await r.waitFor(() => expect(r.find(Input, { name: 'subject' }).props.value).toBe('Your access to our customer portal'));
  });

  it('previews the draft against the chosen contact', async () => {
    const onPreview = vi.fn().mockResolvedValue({ ok: true, subject: 'Your access', text: 'Hello Ada' });
    const { r, button } = render(props({ onPreview }));
    expect(button('Preview').props.disabled).toBe(true);
    r.find(Input, { name: 'previewContact' }).trigger('onChange', ' 1001 ' as never);
    button('Preview').trigger('onClick');
    await r.waitFor(() => expect(r.findAll(Text).map((t) => t.text)).toContain('Hello Ada'));
    expect(onPreview).toHaveBeenCalledWith('portal-credentials', 'en', expect.objectContaining({ subject: 'Your access to our customer portal' }), '1001');
  });
});
