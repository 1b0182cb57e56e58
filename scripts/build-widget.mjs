// Bundles the embeddable chat widget (src/chat/widget/widget.ts) into dist/widget/widget.js:
// one minified IIFE for es2019 browsers. `npm run build:widget` runs it; tests import
// ensureWidgetBuilt() so they never serve a missing or stale bundle.
import { build } from 'esbuild';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WIDGET_ENTRY = join(root, 'src/chat/widget/widget.ts');
export const WIDGET_OUTFILE = join(root, 'dist/widget/widget.js');

/** Builds the widget; returns the output path and its size in bytes. */
export async function buildWidget({ outfile = WIDGET_OUTFILE } = {}) {
  await mkdir(dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [WIDGET_ENTRY],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2019',
    minify: true,
    legalComments: 'none',
    tsconfig: join(root, 'src/chat/widget/tsconfig.json'),
    logLevel: 'warning',
    metafile: true,
  });
  const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
  return { outfile, bytes };
}

/** The chat's shared shapes (src/records/chat-*.ts: cards, dialogue, widget API...). */
export async function chatRecordFiles() {
  const records = join(root, 'src/records');
  return (await readdir(records))
    .filter((f) => f.startsWith('chat-') && f.endsWith('.ts'))
    .map((f) => join(records, f));
}

/** The newest modification time among the widget's sources (and this script). */
async function newestSourceMtime() {
  const widgetDir = join(root, 'src/chat/widget');
  const files = (await readdir(widgetDir)).map((f) => join(widgetDir, f));
  files.push(
    ...(await chatRecordFiles()),
    join(root, 'src/records/answer-check.ts'),
    fileURLToPath(import.meta.url),
  );
  const times = await Promise.all(files.map(async (f) => (await stat(f)).mtimeMs));
  return Math.max(...times);
}

/** Builds the widget when the bundle is missing or older than any of its sources. */
export async function ensureWidgetBuilt() {
  const built = await stat(WIDGET_OUTFILE).catch(() => null);
  if (built && built.mtimeMs >= (await newestSourceMtime())) {
    return { outfile: WIDGET_OUTFILE, bytes: built.size, rebuilt: false };
  }
  return { ...(await buildWidget()), rebuilt: true };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { outfile, bytes } = await buildWidget();
  process.stdout.write(`widget: ${outfile.slice(root.length + 1)} ${bytes} bytes\n`);
}
