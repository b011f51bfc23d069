// What both Apache probes (probe-apache-directives.mjs, probe-apache-arity.mjs) ask httpd with: the
// installed binary and its version, and a throwaway main config that loads every module Debian's
// apache2 ships (/usr/lib/apache2/modules), with one MPM, as httpd loads only one.
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const bin = execFileSync('sh', ['-c', 'command -v apache2 || command -v httpd'], {
  encoding: 'utf8',
}).trim();
export const version = /Apache\/(\d+\.\d+\.\d+)/.exec(execFileSync(bin, ['-v'], { encoding: 'utf8' }))?.[1];
export const moduleDir = '/usr/lib/apache2/modules';
const modules = readdirSync(moduleDir).filter((file) => /^mod_.*\.so$/.test(file));
export const mpms = modules.filter((file) => file.startsWith('mod_mpm_'));

/** Writes `dir`/httpd.conf: every module with `mpm`, then `lines`; returns its path. */
export function writeProbeConfig(dir, mpm, lines = []) {
  const loads = modules
    .filter((file) => !file.startsWith('mod_mpm_') || file === mpm)
    .map((file) => `LoadModule ${file.slice(4, -3)}_module ${join(moduleDir, file)}`);
  const conf = join(dir, 'httpd.conf');
  writeFileSync(
    conf,
    [
      `ServerRoot ${dir}`,
      `PidFile ${dir}/pid`,
      `ErrorLog ${dir}/error.log`,
      'ServerName probe.test',
      ...loads,
      ...lines,
      '',
    ].join('\n'),
  );
  return conf;
}
