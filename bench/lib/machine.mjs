// What the figures were measured on: they mean little without the CPU, the core count and the versions.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

const output = (bin, args) => {
  const result = spawnSync(bin, args, { encoding: 'utf8' });
  return result.error ? undefined : `${result.stdout}${result.stderr}`;
};

export function describeMachine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const nginx = output('nginx', ['-V']);
  const apache = output('apache2', ['-v']) ?? output('httpd', ['-v']);
  const openssl = output('openssl', ['version']);
  const haproxy = output('haproxy', ['-v']);
  return {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `Linux ${release()}`,
    loadAverageAtStart: loadavg().map((value) => Number(value.toFixed(2))),
    node: process.version,
    nginx: nginx && /nginx\/(\S+)/.exec(nginx)?.[1],
    nginxOpenssl: nginx && /running with OpenSSL (\S+)/.exec(nginx)?.[1],
    apache: apache && /Apache\/(\S+)/.exec(apache)?.[1],
    haproxy: haproxy && /HA-?Proxy version (\S+)/.exec(haproxy)?.[1],
    openssl: openssl && /^OpenSSL (\S+)/.exec(openssl)?.[1],
    nodeOpenssl: process.versions.openssl,
    fdLimit: output('sh', ['-c', 'ulimit -n'])?.trim(),
  };
}

export const machineLine = (m) =>
  `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.kernel}; node ${m.node} (OpenSSL ${m.nodeOpenssl}), ` +
  `nginx ${m.nginx ?? 'absent'}, Apache ${m.apache ?? 'absent'}` +
  // Records from before the haproxy row have no haproxy field.
  `${m.haproxy === undefined ? '' : `, HAProxy ${m.haproxy}`}, OpenSSL ${m.nginxOpenssl ?? m.openssl}`;
