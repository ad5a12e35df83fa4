// Prints an Admin GraphQL introspection result (as shipped, gzipped, in @shopify/dev-mcp's
// dist/data/) as SDL without descriptions: see README.md beside this file.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { buildClientSchema, printSchema } from 'graphql';

const withoutDescriptions = (v) => {
  if (Array.isArray(v)) return v.map(withoutDescriptions);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'description').map(([k, x]) => [k, withoutDescriptions(x)]));
  return v;
};
const introspection = JSON.parse(gunzipSync(readFileSync(process.argv[2])).toString());
process.stdout.write(`${printSchema(buildClientSchema(withoutDescriptions(introspection.data)))}\n`);
