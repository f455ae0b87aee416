// The registry this project installs from lacks some other platforms' native packages (darwin, win32,
// linux-arm64 builds of @duckdb/node-bindings and @swc/core). `npm install` then writes a lock file without
// them and `npm ci` refuses it ("Missing: ... from lock file"). This adds each missing optional
// dependency as a platform-restricted entry, which `npm ci` skips on this platform without fetching it.
// Run after any `npm install` that rewrites package-lock.json: node scripts/lock-foreign-optionals.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const platformOf = (name) => {
  const os = ['darwin', 'win32', 'linux', 'freebsd', 'android'].find((o) => name.includes(`-${o}-`));
  const cpu = ['arm64', 'x64', 'ia32', 'ppc64', 's390x', 'arm'].find((c) => new RegExp(`-${c}(-|$)`).test(name));
  const libc = name.includes('musl') ? ['musl'] : name.includes('-gnu') ? ['glibc'] : undefined;
  return { os, cpu, libc };
};
let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `${path ? path + '/' : ''}node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (lock.packages[key] || lock.packages[hoisted]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os || !cpu) continue;
    lock.packages[hoisted] = { version, optional: true, os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
    added++;
  }
}
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
process.stdout.write(`added ${added} platform-restricted optional entries\n`);
