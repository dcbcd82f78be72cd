import type { Adapter, AdapterPayload } from 'oidc-provider';
import { caps, keys } from '../../store/keys.js';
import type { Store, WriteOp } from '../../store/store.js';
import { contactDataWrite } from '../../contacts/contact-data.js';

/** Models whose instances belong to a grant, so revoking the grant removes them (oidc-provider's memory adapter does the same). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/**
 * oidc-provider's storage on our store (Redis in production), shaped like panva's example Redis
 * adapter: one key per model and id with the TTL oidc-provider asks for, a per-grant index so a
 * grant's codes and tokens can be revoked together, a session-uid index, and `consume` marking a
 * code as used (a second use of the same code is refused and revokes its grant).
 * Clients are not stored here: they are read from each HubSpot account's own client record.
 */
export function storeAdapter(store: Store, loadClient: (id: string) => Promise<Record<string, unknown> | undefined>) {
  return class StoreAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private key(id: string) { return keys.oidcModel(this.model, id); }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const ttl = Math.max(1, Math.ceil(expiresIn));
      // The model, its indexes and the contact's note go out together (one round trip per slot).
      const writes: WriteOp[] = [{ set: this.key(id), value: JSON.stringify(payload), ttlSeconds: ttl }];
      if (GRANTABLE.has(this.model) && payload.grantId) writes.push({ push: keys.oidcGrantIndex(payload.grantId), value: this.key(id), cap: caps.oidcGrantIndex, ttlSeconds: ttl });
      if (this.model === 'Session' && payload.uid) writes.push({ set: keys.oidcSessionUid(payload.uid), value: id, ttlSeconds: ttl });
      // Sessions and grants name the contact: erasing the contact finds them through its data index,
      // and a grant's codes and tokens through the grant's own index (forget-contact.ts), so these
      // are not noted one by one (two fewer writes per sign-in).
      const subject = !GRANTABLE.has(this.model) && typeof payload.accountId === 'string' ? /^([1-9]\d{0,15})-([1-9]\d{0,19})$/.exec(payload.accountId) : null;
      if (subject) writes.push(contactDataWrite(Number(subject[1]), subject[2]!, this.key(id)));
      await store.writeMany(writes);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return (await loadClient(id)) as AdapterPayload | undefined;
      const raw = await store.get(this.key(id));
      return raw ? (JSON.parse(raw) as AdapterPayload) : undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const id = await store.get(keys.oidcSessionUid(uid));
      return id ? this.find(id) : undefined;
    }

    async findByUserCode(): Promise<AdapterPayload | undefined> {
      return undefined; // the device flow is off
    }

    async consume(id: string): Promise<void> {
      const payload = await this.find(id);
      if (!payload) return;
      const left = payload.exp ? payload.exp - Math.floor(Date.now() / 1000) : 60;
      await store.set(this.key(id), JSON.stringify({ ...payload, consumed: Math.floor(Date.now() / 1000) }), Math.max(1, left));
    }

    async destroy(id: string): Promise<void> {
      await store.del(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const index = keys.oidcGrantIndex(grantId);
      for (const key of await store.range(index, 0, -1)) await store.del(key);
      await store.del(index);
    }
  };
}
