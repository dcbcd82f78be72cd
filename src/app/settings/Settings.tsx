import { hubspot } from '@hubspot/ui-extensions';
import { SettingsPage } from '../../extensions/settings-page.js';

hubspot.extend<'settings'>(({ context }) => <SettingsPage context={context} />);
