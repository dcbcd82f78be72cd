import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { PermanentError } from '../queue/errors.js';

/**
 * Where an admin's SMTP host really is. An admin must not make our server connect to addresses
 * inside its own network (loopback, link-local cloud metadata, private ranges): every address the
 * name resolves to must be public unicast, unless the operator's allow-list (`SMTP_ALLOWED_HOSTS`)
 * names the host or the address. The caller connects to the address returned here, so a second
 * DNS answer cannot swap in another one (rebinding).
 */
export async function resolveSmtpTarget(host: string, allowed: readonly string[], resolve: (h: string) => Promise<string[]> = resolveAll): Promise<string> {
  const name = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  const addresses = ipaddr.isValid(name) ? [name] : await resolve(name);
  if (!addresses.length) throw new PermanentError(`SMTP host ${host} has no address`);
  for (const address of addresses) {
    const range = ipaddr.process(address).range();
    if (range !== 'unicast' && !allowed.includes(name) && !allowed.includes(address)) {
      throw new PermanentError(`SMTP host ${host} is ${address}, a ${range} address inside the server's network: refused (an operator can allow it with SMTP_ALLOWED_HOSTS)`);
    }
  }
  return addresses[0]!;
}

async function resolveAll(host: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
  } catch (err) {
    throw new PermanentError(`SMTP host ${host} does not resolve: ${(err as Error).message}`);
  }
}
