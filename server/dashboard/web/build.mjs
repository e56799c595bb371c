// build.mjs bundles the dashboard (src/main.jsx and the styles it imports,
// uPlot's included) with esbuild into ../assets/dashboard.js and
// ../assets/dashboard.css, minified, for stockmeshd to embed, and gathers
// the licences of the bundled packages into ../assets/licenses.txt. Run
// by `make assets` after npm ci; nothing here reaches the network.
import { build } from 'esbuild';
import { readFile, writeFile, mkdir, rename } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'assets');
const bundled = ['react', 'react-dom', 'scheduler', '@tanstack/react-virtual', '@tanstack/virtual-core', 'uplot', 'graphql-ws'];

// writeAtomically writes data to file through a temporary name, so a
// stopped build never leaves half a file for go:embed.
async function writeAtomically(file, data) {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

async function licenses() {
  const parts = [];
  for (const name of bundled) {
    const dir = path.join(here, 'node_modules', name);
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    const text = await readFile(path.join(dir, 'LICENSE'), 'utf8')
      .catch(() => readFile(path.join(dir, 'LICENSE.md'), 'utf8'))
      .catch(() => `${pkg.license} (no LICENSE file shipped)`);
    parts.push(`${name}@${pkg.version}\n${'='.repeat(name.length + pkg.version.length + 1)}\n${text.trim()}\n`);
  }
  return parts.join('\n');
}

async function main() {
  await mkdir(out, { recursive: true });
  const result = await build({
    entryPoints: { dashboard: path.join(here, 'src', 'main.jsx') },
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['chrome109', 'firefox115', 'safari16'],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    legalComments: 'none',
    outdir: out,
    write: false,
    logLevel: 'warning',
  });
  for (const f of result.outputFiles) {
    await writeAtomically(f.path, f.contents);
  }
  await writeAtomically(path.join(out, 'licenses.txt'), await licenses());
  for (const f of result.outputFiles) console.log(`built ${path.relative(process.cwd(), f.path)} (${f.contents.length} bytes)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
