import libmime from 'libmime';

export interface PersonName { firstname?: string; lastname?: string }

/**
 * "Ada Lovelace", "Lovelace, Ada", "\"Ada Lovelace\"", RFC 2047 encoded words
 * ("=?UTF-8?B?...?="), "Ada Lovelace (ACME)" and "ada@acme.example" → first and last name.
 * A name that is only an address, or empty, gives nothing rather than a wrong name.
 */
export function parseDisplayName(raw: string | undefined | null): PersonName {
  if (!raw) return {};
  // libmime's methods use `this`: call them on the module object.
  let name = libmime.decodeWords(raw).normalize('NFC');
  name = name.replace(/<[^>]*>/g, '').replace(/\([^)]*\)/g, '').replace(/^['"\s]+|['"\s]+$/g, '').replace(/\s+/g, ' ').trim();
  if (!name || name.includes('@')) return {};
  const comma = name.indexOf(',');
  if (comma > 0) {
    const last = name.slice(0, comma).trim();
    const first = name.slice(comma + 1).trim();
    return clean({ firstname: first, lastname: last });
  }
  const parts = name.split(' ');
  if (parts.length === 1) return clean({ firstname: parts[0] });
  return clean({ firstname: parts.slice(0, -1).join(' '), lastname: parts.at(-1) });
}

function clean(n: PersonName): PersonName {
  const out: PersonName = {};
  if (n.firstname) out.firstname = n.firstname.slice(0, 100);
  if (n.lastname) out.lastname = n.lastname.slice(0, 100);
  return out;
}
