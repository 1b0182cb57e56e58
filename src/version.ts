import { readFileSync } from 'node:fs';

/** The service's version, from package.json; 0.0.0 when it cannot be read. */
export function readVersion(): string {
  // dist/src/version.js and src/version.ts (under tsx) sit at different depths below package.json.
  for (const path of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
      if (pkg.name === 'marketo-chat') return String(pkg.version);
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}
