import { describe, expect, it } from 'vitest';
import {
  absoluteArgs,
  configPidFile,
  findMaster,
  haproxyListens,
  restartArgs,
} from '../../src/servers/haproxy/control.js';

describe('HAProxy control, pure parts', () => {
  it.each([
    ['    bind 127.0.0.1:8443 ssl crt /x.pem', ['127.0.0.1:8443']],
    ['    bind :::443 v4v6 ssl crt /x.pem', ['443']],
    ['    bind :80', ['80']],
    ['    bind *:80', ['80']],
    ['    bind ipv4@10.0.0.1:443', ['10.0.0.1:443']],
    ['    bind [::1]:443', ['[::1]:443']],
    ['    bind ::1:443', ['[::1]:443']],
    ['    bind 127.0.0.1:80,127.0.0.1:81', ['127.0.0.1:80', '127.0.0.1:81']],
    ['    bind unix@/run/x.sock', []],
    ['    bind /run/x.sock', []],
    ['    bind 127.0.0.1:8000-8010', []],
  ])('%s listens on %j', (line, expected) => {
    expect(haproxyListens(`frontend f\n${line}\n`)).toEqual(expected);
  });

  it('restarts without what a reload added, daemonized', () => {
    expect(
      restartArgs(['-sf', '101', '102', '-x', 'sockpair@3', '-W', '-D', '-p', '/r/h.pid', '-f', '/c']),
    ).toEqual(['-W', '-D', '-p', '/r/h.pid', '-f', '/c']);
    expect(restartArgs(['-Ws', '-f', '/c', '-db'])).toEqual(['-D', '-W', '-f', '/c']);
  });

  it('makes -f and -p absolute against the working directory', () => {
    expect(absoluteArgs(['-W', '-f', 'haproxy.cfg', '-p', '/run/h.pid'], '/srv/lb')).toEqual([
      '-W',
      '-f',
      '/srv/lb/haproxy.cfg',
      '-p',
      '/run/h.pid',
    ]);
  });

  it('the master is the one whose parent is not a HAProxy of the same file', () => {
    const worker = { pid: 11, ppid: 10, exe: '/usr/sbin/haproxy', args: [] };
    const master = { pid: 10, ppid: 1, exe: '/usr/sbin/haproxy', args: [] };
    expect(findMaster([worker, master])?.pid).toBe(10);
  });

  it('reads pidfile from the global section only', () => {
    expect(configPidFile('global\n    pidfile /run/x.pid # here\ndefaults\n')).toBe('/run/x.pid');
    expect(configPidFile('global\n    log stdout local0\nfrontend f\n    pidfile /nope\n')).toBeUndefined();
  });
});
