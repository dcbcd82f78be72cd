import { hubspot } from '@hubspot/ui-extensions';
import { StatusCard } from '../../extensions/status-card.js';

hubspot.extend<'crm.record.sidebar'>(({ context }) => <StatusCard context={context} />);
