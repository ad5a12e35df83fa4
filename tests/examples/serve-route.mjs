// Serves one Next.js-style route file (its exported POST, GET, ... handlers) on 127.0.0.1 with
// node:http, in a process of its own, as Vercel runs a Node.js function: the example tests start
// it with startProcess() and stop it by its pid. Prints `listening <url>` when ready.
//   node serve-route.mjs <project dir> <route file, relative to it>
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [project, routeFile] = process.argv.slice(2);
// The adapter from the project's own installed package, as the route itself would load it.
const nodeEntry = createRequire(join(project, 'package.json')).resolve('rekindle/server/node');
const { toNodeListener } = await import(pathToFileURL(nodeEntry).href);
const route = await import(pathToFileURL(join(project, routeFile)).href);
const server = createServer(toNodeListener((request) => (route[request.method] ?? (() => new Response(null, { status: 405 })))(request)));
server.listen(0, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}`));
