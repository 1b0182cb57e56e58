import { type ChildProcess, spawn } from 'node:child_process';

/** Runs a TypeScript entry point of this repo in a child Node process (through tsx). */
export function spawnTs(
  entry: string,
  env: Record<string, string>,
): ChildProcess & { output(): string } {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return Object.assign(child, { output: () => text });
}

/**
 * Runs `npm run <script>` as a user would, in a process group of its own (`detached`), so a
 * test can signal npm alone (`child.kill`) or the whole group as a terminal's Ctrl-C does.
 */
export function spawnNpm(
  script: string,
  env: Record<string, string>,
): ChildProcess & { output(): string } {
  const child = spawn('npm', ['run', '--silent', script], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return Object.assign(child, { output: () => text });
}

/** Resolves when the child's output matches `pattern`; rejects after `timeoutMs`. */
export function waitForOutput(
  child: ReturnType<typeof spawnTs>,
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const match = child.output().match(pattern);
      if (match) {
        clearInterval(timer);
        resolve(match);
      } else if (Date.now() - started > timeoutMs || child.exitCode !== null) {
        clearInterval(timer);
        reject(
          new Error(`timed out waiting for ${pattern}; output:\n${child.output().slice(-2000)}`),
        );
      }
    }, 25);
  });
}

export function exitCodeOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
