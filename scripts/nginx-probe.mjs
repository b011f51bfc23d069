// What the nginx probes (probe-nginx-directives.mjs, probe-nginx-flags.mjs, probe-nginx-duplicates.mjs)
// ask nginx with: the installed binary and its version, a way to run `nginx -t` on a config of one's
// own (concurrently, each in a directory of its own), the contexts a directive can be tried in, and
// the rows of src/lint/nginx-directives.ts.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bin = execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim();
export const version = /nginx\/(\d+\.\d+\.\d+)/.exec(
  execFileSync('sh', ['-c', `${bin} -v 2>&1`], { encoding: 'utf8' }),
)?.[1];

/** A config that puts directive text `d` in each context nginx has. */
export const contexts = {
  main: (d) => `${d}\nevents {}\n`,
  events: (d) => `events { ${d} }\n`,
  http: (d) => `events {}\nhttp { ${d} }\n`,
  server: (d) => `events {}\nhttp { server { ${d} } }\n`,
  location: (d) => `events {}\nhttp { server { location / { ${d} } } }\n`,
  'if-server': (d) => `events {}\nhttp { server { if ($a) { ${d} } } }\n`,
  'if-location': (d) => `events {}\nhttp { server { location / { if ($a) { ${d} } } } }\n`,
  upstream: (d) => `events {}\nhttp { upstream u { ${d} server 127.0.0.1; } }\n`,
  limit_except: (d) => `events {}\nhttp { server { location / { limit_except GET { ${d} } } } }\n`,
};

/** Runs `nginx -t` on configs, each in a directory of its own under one temporary base, and returns
 *  what nginx wrote to stderr; `done()` removes the base. */
export function nginxTester(prefix) {
  const base = mkdtempSync(join(tmpdir(), prefix));
  let slot = 0;
  const run = (conf) =>
    new Promise((resolve) => {
      // A directory per run: concurrent runs must not read each other's file.
      const dir = join(base, String(slot++));
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'n.conf');
      writeFileSync(file, conf);
      const child = spawn(bin, [
        '-t',
        '-q',
        '-p',
        dir,
        '-c',
        file,
        '-e',
        '/dev/null',
        '-g',
        `pid ${dir}/pid;`,
      ]);
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(err);
      });
    });
  return { run, done: () => rmSync(base, { recursive: true, force: true }) };
}

/** Runs `fn` over `items`, `n` at a time. */
export async function pool(items, fn, n = 12) {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

/** The rows of a table written by probe-nginx-directives.mjs (default: src/lint/nginx-directives.ts). */
export function directiveRows(file = join(root, 'src', 'lint', 'nginx-directives.ts')) {
  return new Function(`return [${readFileSync(file, 'utf8').split('[\n')[1]?.split('\n];')[0] ?? ''}];`)();
}
