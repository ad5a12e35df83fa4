// What a playbook edit changes (the console's diff against the live version, issue 19): every
// field that differs, by the JSON path the engine's validation errors use, with both values.
// Both sides are the engine's normalised playbooks (validatePolicy: defaults filled in), so a
// field written out at its default is no change. It compares data and decides nothing; it sits
// here rather than in the wasm because serialising the whole Policy type to a JSON tree there
// cost 11.6 KB gzipped of the server build (measured with gzip -9: 575,834 → 564,239 bytes without it), against a size budget.

/** `[{ path, before?, after? }]`: absent `before` means added, absent `after` removed. */
export function policyDiff(before, after) {
  const changes = [];
  walk('$', before, after, changes);
  return changes;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function walk(path, a, b, out) {
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(`${path}.${key}`, a[key], b[key], out);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) walk(`${path}[${i}]`, a[i], b[i], out);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) {
    out.push({ path, ...(a === undefined ? {} : { before: a }), ...(b === undefined ? {} : { after: b }) });
  }
}
