import { newBackfill, runBackfill } from '../../companies/backfill.js';
import { DomainIndexCache } from '../../companies/domain-index-cache.js';
import { keys } from '../../store/keys.js';
import { withCliRuntime } from './cli-redis.js';

/**
 * npm run backfill -- --portal 4242 [--apply] [--company 123] [--resume]
 * Domain matching for existing contacts without a company. A dry run (the default) lists what it
 * would change; --apply changes it; --resume continues a stopped run from its saved cursor.
 * Uses the same configuration (env) as the app.
 */
export async function runBackfillCli(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const arg = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const portalId = Number(arg('--portal'));
  if (!Number.isInteger(portalId) || portalId <= 0) {
    out('usage: npm run backfill -- --portal <HubSpot account id> [--apply] [--company <company id>] [--resume]');
    return 2;
  }
  return withCliRuntime(env, out, async (runtime) => {
    try {
      if (!argv.includes('--resume')) {
        const status = newBackfill(argv.includes('--apply') ? 'apply' : 'dry-run', arg('--company') ?? null);
        await runtime.store.set(keys.backfill(portalId), JSON.stringify(status));
      }
      const settings = (await runtime.settings.read(portalId)).settings;
      const done = await runBackfill(portalId, runtime.hubspot, runtime.store, settings, new DomainIndexCache(runtime.store),
        (s) => out(`scanned ${s.scanned} contacts, ${s.planned} to file${s.mode === 'apply' ? `, ${s.applied} filed` : ''}`));
      for (const item of done.sample) out(`  ${item.email} → ${item.companyName} (${item.companyId}) by ${item.matchedDomain}`);
      if (done.planned > done.sample.length) out(`  … and ${done.planned - done.sample.length} more`);
      out(done.mode === 'dry-run' ? `dry run: nothing changed; run again with --apply to file ${done.planned} contact(s)` : `filed ${done.applied} contact(s)`);
      return 0;
    } catch (err) {
      out(`backfill stopped: ${(err as Error).message} (run again with --resume to continue)`);
      return 1;
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runBackfillCli(process.argv.slice(2), process.env, (l) => console.log(l));
}
