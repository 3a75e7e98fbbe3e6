// Bundles the extension and the CLI into dist/ and copies the runtime assets (wasm grammars, tokenizer data)
// next to them. `node esbuild.js --watch` rebuilds on change; `--production` minifies.
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// `--outdir=<dir>/dist` builds elsewhere (bench/ packages a production build without touching dist/); the webview
// bundles then go to <dir>/media/build.
const outdirArg = process.argv.find((a) => a.startsWith('--outdir='));
const outdir = outdirArg ? path.resolve(outdirArg.slice('--outdir='.length)) : path.join(__dirname, 'dist');

/** Runtime assets shared with src/core/assets.ts: file name in dist -> package path. */
const assets = require('./src/core/runtimeAssets.json');

/** Webview front-ends (media/<panel>/main.ts) and the libraries they load, into media/build/ (served to webviews). */
const mediaBuild = outdirArg ? path.join(outdir, '..', 'media', 'build') : path.join(__dirname, 'media', 'build');
const webviewAssets = {
  'vscode-elements.js': '@vscode-elements/elements/dist/bundled.js',
  'codicon.css': '@vscode/codicons/dist/codicon.css',
  'codicon.ttf': '@vscode/codicons/dist/codicon.ttf',
};
const webviewEntries = () =>
  fs
    .readdirSync(path.join(__dirname, 'media'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(__dirname, 'media', d.name, 'main.ts')))
    .map((d) => d.name);

function copyAssets() {
  fs.mkdirSync(mediaBuild, { recursive: true });
  for (const [name, pkgPath] of Object.entries(webviewAssets)) fs.copyFileSync(require.resolve(pkgPath), path.join(mediaBuild, name));
  fs.mkdirSync(outdir, { recursive: true });
  for (const [name, pkgPath] of Object.entries(assets)) {
    fs.copyFileSync(require.resolve(pkgPath), path.join(outdir, name));
  }
}

/** Reports errors in the format of the esbuild problem matcher so `npm run watch` works as a VS Code task. */
const problemMatcher = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

async function main() {
  copyAssets();
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    outdir,
    plugins: watch ? [problemMatcher] : [],
  };
  const contexts = await Promise.all([
    esbuild.context({ ...common, entryPoints: { extension: 'src/extension.ts' }, external: ['vscode'] }),
    esbuild.context({ ...common, entryPoints: { cli: 'src/cli.ts' }, banner: { js: '#!/usr/bin/env node' } }),
    esbuild.context({ ...common, entryPoints: { scanWorker: 'src/core/engine/scanWorker.ts', scanChunkWorker: 'src/core/engine/scanChunkWorker.ts' } }),
    ...webviewEntries().map((name) =>
      esbuild.context({ ...common, platform: 'browser', target: 'es2022', format: 'iife', outdir: mediaBuild, entryPoints: { [name]: `media/${name}/main.ts` } }),
    ),
  ]);
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  fs.chmodSync(path.join(outdir, 'cli.js'), 0o755);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
