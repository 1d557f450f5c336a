// The one test command: build, type-check, lint and publint every package, check the pending
// changesets (`changeset status` refuses one that mixes ignored and published packages), then run
// every vitest project. Ends with the line `N passed, N failed` (from vitest's JSON report) that CI reads.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', CI: process.env.CI ?? 'true' };
const bin = (name) => `node_modules/.bin/${name}`;
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', env }).status ?? 1;

// The explorer's end-to-end test drives Debian's Chromium (no browser download works here): install it
// on a fresh machine, as root, from Debian's packages.
if (!existsSync('/usr/bin/chromium') && process.getuid?.() === 0) {
  console.log('installing Debian chromium for the browser tests (apt-get)');
  spawnSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

let failedChecks = 0;
for (const task of [
  [bin('turbo'), ['run', 'build', 'typecheck', 'publint', '--output-logs=errors-only']],
  [bin('biome'), ['check', '.']],
  [bin('changeset'), ['status']],
]) {
  if (run(task[0], task[1]) !== 0) {
    console.error(`check failed: ${task[0]} ${task[1].join(' ')}`);
    failedChecks++;
  }
}

const report = '.vitest.json';
rmSync(report, { force: true });
const vitestStatus = run(bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
]);
let passed = 0;
let failed = failedChecks;
if (existsSync(report)) {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  if (vitestStatus !== 0 && result.numFailedTests === 0) failed++; // a suite failed to load
} else {
  failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
