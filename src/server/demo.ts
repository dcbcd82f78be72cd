import { runDemo } from './demo-story.js';

// npm run demo            plays the story, prints the summary, keeps serving until Ctrl-C
// npm run demo -- --once  exits 0 after the summary (CI, newcomers' scripts)
const demo = await runDemo({ signInAsAda: process.argv.includes('--once') });
console.log(demo.summary);
if (process.argv.includes('--once')) {
  await demo.stop();
  process.exit(0);
}
console.log('\nServing until Ctrl-C.');
const stop = () => { void demo.stop().then(() => process.exit(0)); };
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
