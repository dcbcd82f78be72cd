import { secretsCipher } from '../../auth/secrets-cipher.js';
import { loadSigningKeys, rotateSigningKeys } from '../../portal/oidc/signing-keys.js';
import { RedisStore } from '../../store/redis-store.js';
import { cliRedis } from './cli-redis.js';

/**
 * npm run oidc-keys -- show     the key ids the provider publishes (the first one signs)
 * npm run oidc-keys -- rotate   a new signing key first, the previous one kept published
 * Web processes pick the new key up at their next start (restart them one by one); ID tokens
 * signed with the previous key still verify, since it stays in the JWKS until the next rotation.
 */
export async function runOidcKeysCli(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const opened = cliRedis(env, out, 'signing keys are kept in Redis in production mode (embedded mode makes new ones at every start).');
  if (typeof opened === 'number') return opened;
  const { config, redis } = opened;
  try {
    const store = new RedisStore(redis);
    const cipher = secretsCipher(config.tokenEncryptionKeys, config.clientSecret);
    const command = argv[0] ?? 'show';
    if (command !== 'show' && command !== 'rotate') { out('usage: npm run oidc-keys -- show | rotate'); return 2; }
    const keys = command === 'rotate' ? await rotateSigningKeys(store, cipher) : await loadSigningKeys(store, cipher);
    keys.forEach((k, i) => out(`${i === 0 ? 'signs     ' : 'published '} kid ${k.kid} (${k.alg})`));
    return 0;
  } finally {
    redis.disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(await runOidcKeysCli(process.argv.slice(2), process.env, (l) => process.stdout.write(`${l}\n`)));
}
