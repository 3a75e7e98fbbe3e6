#!/usr/bin/env node
// Builds the benchmark workspace (default .cache/bench/tree, gitignored):
//
//   js/copy-N/  the project's own node_modules, hard-linked (no bytes copied), COPIES times. Folder names that
//               costlens and the ripgrep baseline both skip by default (node_modules, dist, build, out, vendor ...)
//               get a `_` suffix, so every real JS/TS file of the dependencies is part of the tree.
//   py/         a generated Python code base (bench/generate-python-tree.mjs), PY_FILES files, seed 42.
//
//   node bench/prepare-trees.mjs [--out DIR] [--copies 3] [--py-files 24000] [--force]
//
// Re-running with the same arguments re-uses the tree (a stamp file records how it was made).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePythonTree } from './generate-python-tree.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..');

/** Kept in step with DEFAULT_EXCLUDED_DIRS in src/core/engine/files.ts (checked by bench/run.mjs). */
export const RENAMED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dist', 'build', 'out', '.next', '.nuxt', '.svelte-kit', '.turbo', '.cache', 'coverage', '.venv', 'venv', '__pycache__', '.tox', '.nox', '.mypy_cache', '.pytest_cache', 'site-packages', '.eggs', 'target', 'vendor', '.vscode-test']);

/** Hard-links every regular file of `src` under `dst`, renaming default-excluded folder names. */
function linkTree(src, dst) {
  let files = 0;
  const walk = (from, to) => {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      const s = path.join(from, entry.name);
      if (entry.isDirectory()) {
        const name = RENAMED_DIRS.has(entry.name) ? `${entry.name}_` : entry.name;
        walk(s, path.join(to, name));
      } else if (entry.isFile()) {
        const d = path.join(to, entry.name);
        try {
          fs.linkSync(s, d);
        } catch {
          fs.copyFileSync(s, d); // another file system: copy
          const st = fs.statSync(s);
          fs.utimesSync(d, st.atime, st.mtime);
        }
        files++;
      }
      // symlinks (node_modules/.bin) are left out: neither tool follows them
    }
  };
  walk(src, dst);
  return files;
}

export function prepareTrees({ out = path.join(REPO_ROOT, '.cache', 'bench', 'tree'), copies = 3, pyFiles = 24000, force = false, log = console.log } = {}) {
  const stampFile = path.join(out, '.bench-tree.json');
  const lock = fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8');
  const want = { copies, pyFiles, seed: 42, lockBytes: lock.length, generator: fs.statSync(path.join(here, 'generate-python-tree.mjs')).size };
  if (!force && fs.existsSync(stampFile)) {
    const have = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    if (JSON.stringify(have.want) === JSON.stringify(want)) {
      log(`[bench] re-using the benchmark tree at ${out}`);
      return { out, ...have.made };
    }
  }
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const t0 = Date.now();
  let jsFiles = 0;
  for (let i = 1; i <= copies; i++) jsFiles += linkTree(path.join(REPO_ROOT, 'node_modules'), path.join(out, 'js', `copy-${i}`));
  log(`[bench] linked ${copies} copies of node_modules (${jsFiles} files of any kind) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = Date.now();
  const py = generatePythonTree({ out: path.join(out, 'py'), files: pyFiles, seed: 42 });
  log(`[bench] generated ${py.files} Python files (${py.llmFiles} with LLM calls, ${(py.bytes / 1e6).toFixed(0)} MB) in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  const made = { jsFilesAnyKind: jsFiles, pyFiles: py.files, pyLlmFiles: py.llmFiles, pyBytes: py.bytes };
  fs.writeFileSync(stampFile, JSON.stringify({ want, made }, null, 2));
  return { out, ...made };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  prepareTrees({
    out: opt('out') ? path.resolve(opt('out')) : undefined,
    copies: Number(opt('copies', 3)),
    pyFiles: Number(opt('py-files', 24000)),
    force: args.includes('--force'),
  });
}
