// Builds dist/ when it is missing or older than any source file, so `npm start` always runs current code.
import { execSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const marker = 'dist/src/main.js';
const stale =
  !existsSync(marker) ||
  Math.max(newest('src'), newest('bench')) > statSync(marker).mtimeMs ||
  statSync('package.json').mtimeMs > statSync(marker).mtimeMs;
if (stale) {
  console.log('sagaflow: building dist/ ...');
  execSync('npm run build --silent', { stdio: 'inherit' });
}
