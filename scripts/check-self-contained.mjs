// The repository stands alone: a user clones only this repo, so no tracked file may read or
// cite a path outside it. Fails loudly (exit 1, every offending line listed) when one does.
//
// What counts as "outside":
// - a relative path (`../…`) that, resolved from the file's own folder, leaves the repository;
// - a path into the project's planning folder beside the repo (its design notes, facts and
//   vectors): their contents live in `docs/` and `tests/fixtures/` now;
// - an absolute path into this machine's work folders;
// - a path into the repository's own folders (`docs/…`, `src/…`, `tests/…`) that names no
//   tracked file or folder: a citation left behind when a file moved.
// This file is the one exception: it spells the patterns out.
// Rust's `env!("CARGO_MANIFEST_DIR")` joins are caught by the second rule: the only thing a
// test ever read beside the crate was that folder.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);

// Lockfiles name registry tarballs, not paths; binary fixtures are not text.
const skipped = /(^|\/)(package-lock\.json|Cargo\.lock)$|\.(bin|png|wasm|gz)$/;
const relativePath = /(?:^|[\s'"`(<\[=:])((?:\.\.\/)+[\w@.\-/]*)/g;
const planningFolder = /(?:^|[^\w-])shared\/(?:vectors|DESIGN\.md|FACTS\.md|STYLE\.md|hooks)\b/;
const machinePath = /(?:^|[\s'"`(])\/(?:work|tmp\/bash_jobs)[\w.]*\//;
const citedPath = /(?<![\w./-])((?:docs|src|tests|js-shim|pkg|examples|benches|scripts)\/[\w./-]*\w)(?![\w*])/g;
const built = /^(pkg\/dist|tests\/artifacts|examples\/shopify-app\/extensions\/rekindle-embed\/assets)(\/|$)/; // made by the build and the tests, never tracked
const known = new Set(tracked);
for (const file of tracked) for (let d = dirname(file); d !== '.'; d = dirname(d)) known.add(d);

const self = relative(root, fileURLToPath(import.meta.url));
const findings = [];
for (const file of tracked) {
  if (skipped.test(file) || file === self) continue;
  let text;
  try { text = readFileSync(join(root, file), 'utf8'); } catch { continue; }
  if (text.includes('\0')) continue;
  text.split('\n').forEach((line, i) => {
    const at = `${file}:${i + 1}`;
    for (const [, path] of line.matchAll(relativePath)) {
      const target = relative(root, resolve(root, dirname(file), path));
      if (target === '..' || target.startsWith(`..${sep}`)) findings.push(`${at}: ${path} leaves the repository`);
    }
    if (planningFolder.test(line)) findings.push(`${at}: refers to the planning folder beside the repo (use docs/ or tests/fixtures/)`);
    if (machinePath.test(line)) findings.push(`${at}: an absolute path on this machine`);
    for (const [, path] of line.matchAll(citedPath)) {
      const near = relative(root, resolve(root, dirname(file), path)); // an example's own src/…
      if (!built.test(path) && !known.has(path) && !known.has(near)) findings.push(`${at}: ${path} names no file in the repository`);
    }
  });
}

if (findings.length) {
  console.error(`The repository must stand alone, but ${findings.length} line(s) refer to paths outside it or to files it does not have:`);
  for (const f of findings) console.error(`  ${f}`);
  process.exit(1);
}
console.log(`self-contained: ${tracked.length} tracked files refer to nothing outside the repository`);
