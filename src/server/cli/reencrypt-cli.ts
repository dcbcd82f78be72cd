import { reencryptSecrets } from '../../auth/reencrypt-secrets.js';
import { secretsCipher } from '../../auth/secrets-cipher.js';
import { TokenCipher } from '../../auth/token-cipher.js';
import { cliRedis } from './cli-redis.js';

/**
 * npm run reencrypt: after a new key was put first in TOKEN_ENCRYPTION_KEY (newest, then the
 * older ones), rewrites every stored secret under the new key. Safe to run while the app runs and
 * to run again (it goes on where a stopped run left off). Once it reports nothing left under an
 * older key, the older keys can leave TOKEN_ENCRYPTION_KEY.
 */
export async function runReencryptCli(env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const opened = cliRedis(env, out, 'secrets are kept in Redis in production mode (embedded mode keeps nothing across starts).');
  if (typeof opened === 'number') return opened;
  const { config, redis } = opened;
  try {
    const tokens = config.tokenEncryptionKeys.length ? new TokenCipher(config.tokenEncryptionKeys) : undefined;
    const r = await reencryptSecrets(redis, { tokens, portal: secretsCipher(config.tokenEncryptionKeys, config.clientSecret) });
    out(`re-encrypted under the newest key: ${r.rewritten}; already under it: ${r.current}`);
    if (r.unreadable.length) {
      out(`not opened by any key in TOKEN_ENCRYPTION_KEY (${r.unreadable.length}), left as they are: ${r.unreadable.slice(0, 20).join(', ')}${r.unreadable.length > 20 ? ', …' : ''}`);
      return 1;
    }
    out('every stored secret is under the newest key: the older keys may leave TOKEN_ENCRYPTION_KEY');
    return 0;
  } finally {
    redis.disconnect();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(await runReencryptCli(process.env, (l) => process.stdout.write(`${l}\n`)));
}
