import { hubspot } from '@hubspot/ui-extensions';
import { TicketCard } from '../../extensions/ticket-card.js';

hubspot.extend<'crm.record.sidebar'>(({ context }) => <TicketCard context={context as never} />);
