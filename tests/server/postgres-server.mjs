// A real PostgreSQL server for the tests and the benchmark: a throwaway cluster (initdb) in a
// temp dir, listening on a free 127.0.0.1 port (its Unix socket in the same dir), stopped by its
// pid and deleted when done. initdb and postgres refuse to run as root, so under root (CI, the
// dev machines) both run as the `postgres` user Debian's package creates, owning the dir.
import { execFileSync, spawn } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Debian's layout (postgresql-15), else whatever `pg_config --bindir` says. */
function binDir() {
  for (const version of ['17', '16', '15']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
}

/** Who runs the server: ourselves, unless we are root. */
function serverUser() {
  if (process.getuid?.() !== 0) return {};
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * `durable`: keep fsync and synchronous commits (the benchmark); the tests turn them off, since
 * the cluster dies with the test anyway. `settings`: more `-c name=value` server settings.
 */
export async function startPostgres({ durable = false, settings = {} } = {}) {
  const bin = binDir();
  const user = serverUser();
  const dir = await mkdtemp(join(tmpdir(), 'rekindle-pg-'));
  if (user.uid !== undefined) await chown(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const run = (tool, args) => new Promise((resolve, reject) => {
    const child = spawn(join(bin, tool), args, { ...user, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk) => { err += chunk; });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${tool} exited ${code}:\n${err}`))));
  });
  await run('initdb', ['-D', data, '-U', 'rekindle', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);

  const port = await freePort();
  const conf = { listen_addresses: '127.0.0.1', port, unix_socket_directories: dir, max_connections: 200, ...settings };
  if (!durable) Object.assign(conf, { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' });
  const args = ['-D', data, ...Object.entries(conf).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const child = spawn(join(bin, 'postgres'), args, { ...user, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`postgres did not start:\n${seen}`)), 20_000);
    child.stderr.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`postgres exited (${code}):\n${seen}`)));
  });
  child.stderr.resume();
  // A test process that dies without its after() hook still takes the server down with it.
  const orphanGuard = () => child.kill('SIGINT');
  process.once('exit', orphanGuard);
  return {
    url: `postgres://rekindle@127.0.0.1:${port}/postgres`,
    // SIGINT is the "fast" shutdown: it does not wait for clients to disconnect (SIGTERM would).
    stop: async () => {
      process.off('exit', orphanGuard);
      if (child.exitCode === null) {
        await new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGINT');
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
