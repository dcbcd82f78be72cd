import ipaddr from 'ipaddr.js';

/**
 * Express' `trust proxy`, as the operator allows it: off (the socket's address is the client's),
 * a number of proxy hops in front of the app, or the proxies' addresses and CIDR ranges.
 * `true` (any client may say who it is with X-Forwarded-For) is refused: it defeats every per-IP limit.
 */
export type TrustProxy = false | number | string[];

/** proxy-addr's (Express') names for whole ranges. */
const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);

const isAddressOrRange = (entry: string) => {
  if (NAMED.has(entry)) return true;
  if (entry.includes('/')) {
    try { ipaddr.parseCIDR(entry); return true; } catch { return false; }
  }
  return ipaddr.isValid(entry);
};

/** Parses TRUST_PROXY; the error says what is wrong and what would be right. */
export function parseTrustProxy(raw: string | undefined): { value: TrustProxy } | { problem: string } {
  const v = (raw ?? '').trim();
  if (v === '' || v === 'false' || v === '0') return { value: false };
  if (v === 'true') {
    return { problem: 'TRUST_PROXY=true would let any client choose its address with X-Forwarded-For: give the number of proxies in front of the app (e.g. 1 behind one load balancer) or their addresses (e.g. 10.0.0.0/8)' };
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return hops <= 10 ? { value: hops } : { problem: `TRUST_PROXY=${v}: at most 10 proxy hops` };
  }
  const entries = v.split(/[\s,]+/).filter(Boolean);
  const wrong = entries.filter((e) => !isAddressOrRange(e));
  if (wrong.length || entries.length > 50) {
    return { problem: `TRUST_PROXY must be false, a number of proxy hops, or up to 50 proxy addresses or CIDR ranges (or loopback, linklocal, uniquelocal) separated by commas; not an address: ${wrong.slice(0, 3).map((w) => JSON.stringify(w.slice(0, 60))).join(', ') || '(too many entries)'}` };
  }
  return { value: entries };
}
