/** The pure parts of the reload proof: where a server keeps its pid and log, and what a listen means. */
import { describe, expect, it } from 'vitest';
import { apacheListens } from '../../src/io/apache.js';
import { lockOwner } from '../../src/io/lock.js';
import { nginxListens, nginxRuntimePaths } from '../../src/io/nginx.js';
import { connectAddress } from '../../src/io/server-control.js';

describe('nginxRuntimePaths', () => {
  const built =
    'configure arguments: --prefix=/usr/share/nginx --pid-path=/run/nginx.pid --error-log-path=/var/log/nginx/error.log';
  it.each([
    [
      'the main context',
      '# configuration file /p/nginx.conf:\npid /p/nginx.pid;\nerror_log /p/error.log notice;\nhttp {\n}\n',
      undefined,
      { pidFile: '/p/nginx.pid', errorLog: '/p/error.log' },
    ],
    [
      'not a server block',
      '# configuration file /e/nginx.conf:\nhttp {\n  server { error_log /e/site.log; }\n}\n',
      undefined,
      { pidFile: '/run/nginx.pid', errorLog: '/var/log/nginx/error.log' },
    ],
    [
      'relative to -p',
      '# configuration file /x/nginx.conf:\npid logs/n.pid; # comment\n',
      '/x',
      { pidFile: '/x/logs/n.pid', errorLog: '/var/log/nginx/error.log' },
    ],
    [
      'only the first file (the main config)',
      '# configuration file /m/nginx.conf:\nhttp {\ninclude /m/site.conf;\n}\n# configuration file /m/site.conf:\nerror_log /m/site.log;\n',
      undefined,
      { pidFile: '/run/nginx.pid', errorLog: '/var/log/nginx/error.log' },
    ],
  ])('reads %s', (_name, dump, prefix, expected) => {
    expect(nginxRuntimePaths(dump, built, prefix)).toEqual(expected);
  });
});

describe('listen addresses', () => {
  it('nginx: every listen, without unix sockets or parameters', () => {
    expect(
      nginxListens(
        'server {\n    listen 127.0.0.1:8443 ssl;\n    listen [::1]:8443 ssl;\n    listen 80;\n    listen unix:/run/x.sock;\n}\n',
      ),
    ).toEqual(['127.0.0.1:8443', '[::1]:8443', '80']);
  });
  it('Apache: every Listen, without the protocol', () => {
    expect(
      apacheListens('<IfDefine !X>\n    Listen 127.0.0.1:9443 https\n</IfDefine>\nlisten 8080\n'),
    ).toEqual(['127.0.0.1:9443', '8080']);
  });
  it.each([
    ['127.0.0.1:8443', { host: '127.0.0.1', port: 8443 }],
    ['443', { host: '127.0.0.1', port: 443 }],
    ['*:443', { host: '127.0.0.1', port: 443 }],
    ['0.0.0.0:443', { host: '127.0.0.1', port: 443 }],
    ['[::]:443', { host: '::1', port: 443 }],
    ['[::1]:443', { host: '::1', port: 443 }],
    ['example.com:443', { host: 'example.com', port: 443 }],
    ['70000', undefined],
  ])('%s connects to %j', (listen, expected) => {
    expect(connectAddress(listen)).toEqual(expected);
  });
});

describe('lockOwner', () => {
  it.each([
    ['empty', ''],
    ['garbled', 'pid NaN\n'],
    ['a pid that is not running', '999999999\n'],
    ['this pid with another start time (reused)', `${process.pid} 1\n`],
  ])('%s is stale', (_name, text) => {
    expect(lockOwner(text)).toBeUndefined();
  });
  it('this live process is the owner', () => {
    expect(lockOwner(`${process.pid}\n`)).toBe(process.pid);
  });
});
