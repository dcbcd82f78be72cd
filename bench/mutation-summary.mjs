/* global process */
// Reads Stryker's JSON report and writes the committed summary: the score per module and every
// surviving mutant (what it changed, where), so the next person can see what the tests miss.
import { readFileSync, writeFileSync } from 'node:fs';

// node bench/mutation-summary.mjs [report.json] [summary.json] [command]: a run of a subset keeps its own summary.
const [input = 'reports/mutation/mutation.json', output = 'bench/results/mutation.json', command = 'npm run test:mutation'] = process.argv.slice(2);
const report = JSON.parse(readFileSync(input, 'utf8'));
const detected = new Set(['Killed', 'Timeout']);
const counted = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);
const modules = {};
const survivors = [];
/** Mutants a `// Stryker disable` comment in the source marks as equivalent, with its reason. */
const ignored = [];
const statuses = {};
let all = 0; let hit = 0;
for (const [file, { mutants }] of Object.entries(report.files)) {
  for (const m of mutants) statuses[m.status] = (statuses[m.status] ?? 0) + 1;
  for (const m of mutants.filter((x) => x.status === 'Ignored')) ignored.push({ file, line: m.location.start.line, mutator: m.mutatorName, reason: m.statusReason ?? '' });
  const valid = mutants.filter((m) => counted.has(m.status));
  const caught = valid.filter((m) => detected.has(m.status));
  modules[file] = { mutants: valid.length, detected: caught.length, score: Number((100 * caught.length / Math.max(1, valid.length)).toFixed(1)) };
  all += valid.length; hit += caught.length;
  for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
    survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, replacement: (m.replacement ?? '').slice(0, 120), status: m.status });
  }
}
const summary = { date: new Date().toISOString(), command, score: Number((100 * hit / Math.max(1, all)).toFixed(1)), mutants: all, detected: hit, statuses, modules, survivors, ignored };
writeFileSync(output, `${JSON.stringify(summary, null, 2)}\n`);
process.stdout.write(`mutation score ${summary.score} % (${hit} of ${all} mutants detected); ${survivors.length} survived\n`);
for (const [f, m] of Object.entries(modules)) process.stdout.write(`  ${String(m.score).padStart(5)} %  ${f}\n`);
