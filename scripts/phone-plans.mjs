// Regenerates src/hygiene/phone_plans.bin: libphonenumber's numbering-plan metadata as the
// `rlibphonenumber` crate ships it (protobuf, `PhoneMetadataCollection`), less what Rekindle
// never reads. Rekindle parses, validates, types and writes numbers in E.164; it never formats
// them for display, so each region's display formats (`number_format`, `intl_number_format`)
// and each range's example number go: 229 KB -> 129 KB, 55 KB -> 36 KB gzipped. Nor does
// src/hygiene/phone.rs read the national prefix for formatting, the preferred international
// and extension prefixes, the no-international-dialling ranges, the mobile-number-portable
// flag, or a number type's local-only lengths (only the general ones): those go too
// (-5.5 KB, -1 KB gzipped). Fields are dropped on the wire, by number, so every field kept is
// byte-for-byte the crate's. tests/phone_plans.rs proves phone.rs over the result answers like
// the crate over its own full metadata.
//
//   node scripts/phone-plans.mjs        (after upgrading rlibphonenumber in Cargo.lock)

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Field numbers in resources/phonemetadata.proto of libphonenumber. */
const PHONE_METADATA_DROPPED = new Set([
  19 /* number_format */, 20 /* intl_number_format */, 12 /* national_prefix */, 13 /* preferred_extn_prefix */,
  17 /* preferred_international_prefix */, 24 /* no_international_dialling */, 32 /* mobile_number_portable_region */,
]);
/** The PhoneMetadata fields holding a PhoneNumberDesc (general_desc .. sms_services). */
const DESC_FIELDS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 21, 24, 25, 27, 28, 29, 30, 31, 33]);
const DESC_DROPPED = new Set([6 /* example_number */]);
/** A number type's local-only lengths: phone.rs reads the general description's alone. */
const TYPE_DESC_DROPPED = new Set([6 /* example_number */, 10 /* possible_length_local_only */]);

function varint(bytes, at) {
  let value = 0, shift = 0, byte;
  do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return [value, at];
}

function encodeVarint(value) {
  const out = [];
  do { let byte = value % 128; value = Math.floor(value / 128); if (value) byte |= 0x80; out.push(byte); } while (value);
  return Buffer.from(out);
}

/** Each field of a message: `{ number, raw, body }` (`body` only for length-delimited ones). */
function* fields(bytes) {
  let at = 0;
  while (at < bytes.length) {
    const start = at;
    const [key, next] = varint(bytes, at);
    const number = Math.floor(key / 8), wire = key % 8;
    let body;
    if (wire === 0) [, at] = varint(bytes, next);
    else if (wire === 1) at = next + 8;
    else if (wire === 5) at = next + 4;
    else if (wire === 2) { const [length, from] = varint(bytes, next); body = bytes.subarray(from, from + length); at = from + length; }
    else throw new Error(`wire type ${wire} at byte ${start}: not a metadata file`);
    yield { number, key: bytes.subarray(start, next), raw: bytes.subarray(start, at), body };
  }
}

const message = (key, body) => Buffer.concat([key, encodeVarint(body.length), body]);

function keep(bytes, dropped, inner = () => undefined) {
  const out = [];
  for (const field of fields(bytes)) {
    if (dropped.has(field.number)) continue;
    const rewritten = inner(field);
    out.push(rewritten ? message(field.key, rewritten) : field.raw);
  }
  return Buffer.concat(out);
}

export function slim(collection) {
  return keep(collection, new Set(), ({ number, body }) => number === 1
    ? keep(body, PHONE_METADATA_DROPPED, (f) => (DESC_FIELDS.has(f.number) ? keep(f.body, f.number === 1 ? DESC_DROPPED : TYPE_DESC_DROPPED) : undefined))
    : undefined);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--locked'], { cwd: root, maxBuffer: 1 << 28 }));
  const crate = meta.packages.find((p) => p.name === 'rlibphonenumber');
  const source = join(dirname(crate.manifest_path), 'src', 'generated', 'metadata', 'metadata.bin');
  const full = readFileSync(source);
  const slimmed = slim(full);
  writeFileSync(join(root, 'src', 'hygiene', 'phone_plans.bin'), slimmed);
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  console.log(`rlibphonenumber ${crate.version}: ${full.length} B (${gz(full)} gz) -> ${slimmed.length} B (${gz(slimmed)} gz)`);
}
