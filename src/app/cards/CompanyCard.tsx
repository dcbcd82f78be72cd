import { hubspot } from '@hubspot/ui-extensions';
import { CompanyCard } from '../../extensions/company-card.js';

hubspot.extend<'crm.record.sidebar'>(({ context }) => <CompanyCard context={context as never} />);
