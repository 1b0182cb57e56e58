// Bundles the browser console (src/console/main.tsx, a React app) and the widget preview it
// frames (src/console/preview.ts) into dist/console/, with their HTML pages. `npm run
// build:console` runs it; tests import ensureConsoleBuilt() so they never serve a stale bundle.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { chatRecordFiles } from './build-widget.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(root, 'src/console');
export const CONSOLE_OUTDIR = join(root, 'dist/console');
const PAGES = ['index.html', 'preview.html'];

/** Builds the console; returns the output folder and the bytes of each file. */
export async function buildConsole({ outdir = CONSOLE_OUTDIR } = {}) {
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: { console: join(SOURCE, 'main.tsx'), preview: join(SOURCE, 'preview.ts') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    tsconfig: join(SOURCE, 'tsconfig.json'),
    logLevel: 'warning',
    metafile: true,
  });
  for (const page of PAGES) await copyFile(join(SOURCE, page), join(outdir, page));
  const bytes = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([file, out]) => [file, out.bytes]),
  );
  return { outdir, bytes };
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)])),
  );
  return nested.flat();
}

/** The newest modification time among the console's sources, the widget it previews, and this script. */
async function newestSourceMtime() {
  const files = [
    ...(await filesUnder(SOURCE)),
    ...(await filesUnder(join(root, 'src/chat/widget'))),
    ...(await chatRecordFiles()),
    fileURLToPath(import.meta.url),
  ];
  const times = await Promise.all(files.map(async (f) => (await stat(f)).mtimeMs));
  return Math.max(...times);
}

/** Builds the console when its bundle is missing or older than any of its sources. */
export async function ensureConsoleBuilt() {
  const built = await stat(join(CONSOLE_OUTDIR, 'console.js')).catch(() => null);
  const page = await stat(join(CONSOLE_OUTDIR, 'index.html')).catch(() => null);
  const newest = await newestSourceMtime();
  if (built && page && built.mtimeMs >= newest && page.mtimeMs >= newest) {
    return { outdir: CONSOLE_OUTDIR, rebuilt: false };
  }
  return { ...(await buildConsole()), rebuilt: true };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { bytes } = await buildConsole();
  for (const [file, size] of Object.entries(bytes)) {
    process.stdout.write(`console: ${file} ${size} bytes\n`);
  }
}
