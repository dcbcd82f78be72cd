export interface CrmRecord {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** Search sees a record only from this time on, as HubSpot's search index lags behind writes. */
  indexedAt: number;
}

export interface Filter { propertyName: string; operator: string; value?: string; values?: string[] }

const iso = (ms: number) => new Date(ms).toISOString();

/** One CRM object type of one sandbox account: records, unique-property lookups, paging, search. */
export class CrmObjects {
  private readonly records = new Map<string, CrmRecord>();

  constructor(
    readonly objectType: string,
    private readonly nextId: () => string,
    private readonly now: () => number,
    private readonly searchDelayMs: () => number,
  ) {}

  create(properties: Record<string, string>): CrmRecord {
    const at = this.now();
    const id = this.nextId();
    const record: CrmRecord = {
      id, createdAt: iso(at), updatedAt: iso(at), indexedAt: at + this.searchDelayMs(),
      properties: { ...clean(properties), hs_object_id: id, createdate: iso(at), lastmodifieddate: iso(at) },
    };
    this.derive(record);
    this.records.set(id, record);
    return record;
  }

  get(id: string): CrmRecord | undefined { return this.records.get(id); }

  update(id: string, properties: Record<string, string>): { record: CrmRecord; changed: string[] } | undefined {
    const record = this.records.get(id);
    if (!record) return undefined;
    const changed = Object.keys(properties).filter((k) => record.properties[k] !== properties[k]);
    const at = this.now();
    Object.assign(record.properties, clean(properties), { lastmodifieddate: iso(at) });
    this.derive(record);
    record.updatedAt = iso(at);
    record.indexedAt = at + this.searchDelayMs();
    return { record, changed };
  }

  /** Properties HubSpot computes itself: emails are stored lower-case, with their domain beside them. */
  private derive(record: CrmRecord): void {
    const email = record.properties.email;
    if (!email) return;
    record.properties.email = email.toLowerCase();
    record.properties.hs_email_domain = record.properties.email.split('@')[1] ?? '';
  }

  remove(id: string): boolean { return this.records.delete(id); }

  /** Puts a removed record back under its id (HubSpot's recycle bin: an object restored after a while of answering 404). */
  restore(record: CrmRecord): void { this.records.set(record.id, record); }

  /** Lookup by a unique property (email for contacts); case-insensitive as HubSpot's is for email. */
  findBy(property: string, value: string): CrmRecord | undefined {
    const v = value.toLowerCase();
    for (const r of this.records.values()) if ((r.properties[property] ?? '').toLowerCase() === v) return r;
    return undefined;
  }

  all(): CrmRecord[] { return [...this.records.values()]; }

  page(limit: number, after?: string): { results: CrmRecord[]; after?: string } {
    const all = this.all();
    const start = after ? Number(after) : 0;
    const results = all.slice(start, start + limit);
    return { results, after: start + limit < all.length ? String(start + limit) : undefined };
  }

  search(filterGroups: { filters: Filter[] }[], limit: number, after?: string, sorts: string[] = []): { total: number; results: CrmRecord[]; after?: string } {
    const now = this.now();
    const hits = this.all().filter((r) => r.indexedAt <= now
      && (filterGroups.length === 0 || filterGroups.some((g) => g.filters.every((f) => matches(r, f)))));
    // HubSpot sorts by one property ("createdate", or "-createdate" descending); ties by the order records were made in.
    const sort = sorts[0];
    if (sort) {
      const sign = sort.startsWith('-') ? -1 : 1;
      const name = sort.replace(/^-/, '');
      hits.sort((a, b) => sign * ((a.properties[name] ?? '').localeCompare(b.properties[name] ?? '') || Number(a.id) - Number(b.id)));
    }
    const start = after ? Number(after) : 0;
    return { total: hits.length, results: hits.slice(start, start + limit), after: start + limit < hits.length ? String(start + limit) : undefined };
  }
}

function clean(properties: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
}

function matches(r: CrmRecord, f: Filter): boolean {
  const actual = (r.properties[f.propertyName] ?? '').toLowerCase();
  const value = (f.value ?? '').toLowerCase();
  switch (f.operator) {
    case 'EQ': return actual === value;
    case 'NEQ': return actual !== value;
    case 'IN': return (f.values ?? []).map((v) => v.toLowerCase()).includes(actual);
    case 'HAS_PROPERTY': return actual !== '';
    case 'NOT_HAS_PROPERTY': return actual === '';
    case 'CONTAINS_TOKEN': return actual.split(/[;\s]+/).includes(value.replace(/^\*|\*$/g, ''));
    default: return false;
  }
}

/** The public shape (SimplePublicObject) with only the properties asked for, plus HubSpot's defaults. */
export function toPublic(r: CrmRecord, requested?: string[]) {
  const names = new Set(['hs_object_id', 'createdate', 'lastmodifieddate', ...(requested ?? Object.keys(r.properties))]);
  // HubSpot's spec types property values as strings, so properties without a value are left out.
  const properties: Record<string, string> = {};
  for (const n of names) if (r.properties[n] !== undefined) properties[n] = r.properties[n]!;
  return { id: r.id, properties, createdAt: r.createdAt, updatedAt: r.updatedAt, archived: false };
}
