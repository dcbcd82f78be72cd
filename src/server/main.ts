import { ConfigError, loadConfig } from './config.js';
import { createRuntime, StartupError } from './runtime.js';

try {
  const config = loadConfig(process.env);
  const runtime = createRuntime(config);
  await runtime.start();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      runtime.log.info({ signal }, 'draining');
      runtime.stop().then(() => process.exit(0), (err) => { runtime.log.error({ err }, 'unclean stop'); process.exit(1); });
    });
  }
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78);
  }
  if (err instanceof StartupError) {
    console.error(`Portal Autopilot cannot start: ${err.message}`);
    process.exit(err.exitCode);
  }
  throw err;
}
