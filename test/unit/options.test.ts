import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { durationToSeconds, parseGenerationOptions } from '../../src/core/options.js';

const valid = { domain: ['example.com'], backend: ['8282'] };

const problemsOf = (input: Record<string, unknown>): string[] => {
  try {
    parseGenerationOptions(input);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message.split('\n');
  }
  throw new Error('expected a UsageError');
};

describe('parseGenerationOptions', () => {
  it('applies the documented defaults', () => {
    const options = parseGenerationOptions(valid);
    expect(options).toMatchObject({
      domains: ['example.com'],
      backends: [{ host: '127.0.0.1', port: 8282 }],
      path: '/',
      cert: '/etc/letsencrypt/live/example.com/fullchain.pem',
      key: '/etc/letsencrypt/live/example.com/privkey.pem',
      certbotDefaultPaths: true,
      listen: { port: 443 },
      redirectListen: { port: 80 },
      static: undefined,
      timeoutSeconds: 3600,
      tls: 'intermediate',
      balance: 'least-conn',
    });
  });

  it.each([
    ['example.com', 'example.com'],
    ['*.example.com', '*.example.com'],
    ['Example.COM', 'example.com'],
    ['xn--fiq228c.com', 'xn--fiq228c.com'],
    ['localhost', 'localhost'],
  ])('accepts --domain %s', (domain, expected) => {
    expect(parseGenerationOptions({ ...valid, domain: [domain] }).domains).toEqual([expected]);
  });

  it.each([
    ['evil.test;}', '--domain'],
    ['a b', '--domain'],
    ['ex$ample.com', '--domain'],
    ['example.com\nssl off', '--domain'],
    ['-example.com', '--domain'],
    ['*.*.example.com', '--domain'],
    ['ex*.com', '--domain'],
    ['', '--domain'],
  ])('rejects --domain %j', (domain, flag) => {
    const [problem] = problemsOf({ ...valid, domain: [domain] });
    expect(problem).toMatch(
      new RegExp(
        `^${flag}: ${JSON.stringify(domain).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not allowed; use a host name`,
      ),
    );
  });

  it.each([
    ['8282', { host: '127.0.0.1', port: 8282 }],
    ['10.0.0.5:9000', { host: '10.0.0.5', port: 9000 }],
    ['ws-backend.internal:80', { host: 'ws-backend.internal', port: 80 }],
    ['[::1]:8282', { host: '[::1]', port: 8282 }],
  ])('accepts --backend %s', (backend, expected) => {
    expect(parseGenerationOptions({ ...valid, backend: [backend] }).backends).toEqual([expected]);
  });

  it.each([
    ['0'],
    ['65536'],
    ['99999'],
    ['host:'],
    [':80'],
    ['evil;host:80'],
    ['http://127.0.0.1:8282'],
    ['127.0.0.1:80;'],
    ['[..]:80'],
    ['[1:2]:80'],
    ['[::1%eth0]:80'],
    ['999.999.999.999:80'],
    ['1.2.3.04:80'],
  ])('rejects --backend %j', (backend) => {
    expect(problemsOf({ ...valid, backend: [backend] })[0]).toMatch(
      /^--backend: .* is not allowed; use a port \(1-65535\)/,
    );
  });

  it.each([
    ['/w s', '--path'],
    ['ws', '--path'],
    ['/a$b', '--path'],
    ['/a;b', '--path'],
    ['/a\nb', '--path'],
    ['/tmp/a$b.pem', '--cert'],
    ['relative/cert.pem', '--cert'],
    ['/tmp/a b.pem', '--cert'],
    ['/tmp/a"b.pem', '--cert'],
    ['/tmp/a{b}.pem', '--cert'],
    ['/tmp/a#b.pem', '--cert'],
    ['/tmp/a\\b.pem', '--cert'],
    ['/tmp/a\u0000b.pem', '--cert'],
    ['/srv/static;', '--static-dir'],
    ['1.5h', '--timeout'],
    ['0s', '--timeout'],
    ['169h', '--timeout'],
    ['10', '--timeout'],
    ['old', '--tls'],
    ['random', '--balance'],
    ['1.25', '--listen'],
    ['example.com:443', '--listen'],
    ['[..]:8443', '--listen'],
    ['[1:2]:8443', '--listen'],
    ['256.1.1.1:8443', '--listen'],
    ['', '--path'],
    ['999.999.999.999', '--domain'],
    ['1.2.x', '--server-version'],
  ])('rejects %j for %s, naming the option and what is allowed', (value, flag) => {
    const key = flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const input: Record<string, unknown> = { ...valid, [key]: value };
    if (key === 'cert') input.key = '/tmp/key.pem';
    const [problem] = problemsOf(input);
    expect(problem).toContain(`${flag}: ${JSON.stringify(value)} is not allowed; use `);
  });

  it('reports every problem at once, one line each', () => {
    const problems = problemsOf({
      domain: ['evil.test;}'],
      backend: ['99999'],
      path: '/w s',
      cert: '/tmp/a$b.pem',
      key: '/tmp/k.pem',
      timeout: '5y',
      tls: 'old',
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      '--domain',
      '--backend',
      '--path',
      '--cert',
      '--timeout',
      '--tls',
    ]);
  });

  it.each([
    [{ backend: ['8282'] }, '--domain is required'],
    [{ domain: ['example.com'] }, '--backend is required'],
    [{ ...valid, domain: ['a.com', 'A.com'] }, '--domain: "a.com" is given twice; give each name once'],
    [{ ...valid, cert: '/tmp/c.pem' }, '--key: give --cert and --key together'],
    [
      { ...valid, staticPath: '/static/' },
      '--static-path: needs --static-dir, the directory whose files it serves',
    ],
    [
      { ...valid, staticDir: '/srv', staticPath: '/' },
      '--static-path: "/" would hide the WebSocket path; use a prefix such as /static/',
    ],
    [
      { ...valid, path: '/static/ws', staticDir: '/srv' },
      '--static-path: "/static/" would hide the WebSocket path /static/ws; use a prefix such as /static/ that does not contain it',
    ],
    [
      { ...valid, redirectListen: '443' },
      '--redirect-listen: 443 is the port of --listen too; give another port, or --no-redirect for no plain-HTTP listener',
    ],
    // A wildcard takes the port on every address, so a listener on one of them collides with it.
    [
      { ...valid, listen: '127.0.0.1:8443', redirectListen: '8443' },
      '--redirect-listen: 8443 is the port of --listen too; give another port, or --no-redirect for no plain-HTTP listener',
    ],
    [
      { ...valid, listen: '8443', redirectListen: '0.0.0.0:8443' },
      '--redirect-listen: 8443 is the port of --listen too; give another port, or --no-redirect for no plain-HTTP listener',
    ],
    [
      { ...valid, redirect: false, redirectListen: '8080' },
      '--redirect-listen: contradicts --no-redirect, which writes no plain-HTTP listener; give one of them',
    ],
    [
      { ...valid, backend: ['8282', '127.0.0.1:8282'] },
      '--backend: "127.0.0.1:8282" is given twice; give each backend once',
    ],
    [
      { ...valid, backend: ['app.internal:9000', 'APP.internal:9000'] },
      '--backend: "app.internal:9000" is given twice; give each backend once',
    ],
  ])('rejects inconsistent options %j', (input, message) => {
    expect(problemsOf(input)).toContain(message);
  });

  it('keeps listeners on the same port of two different addresses, which do not collide', () => {
    const options = parseGenerationOptions({
      ...valid,
      listen: '10.0.0.1:443',
      redirectListen: '10.0.0.2:443',
    });
    expect(options.redirectListen).toEqual({ host: '10.0.0.2', port: 443 });
  });

  it('adds the trailing slash alias needs to the static prefix and directory', () => {
    const options = parseGenerationOptions({
      ...valid,
      staticDir: '/root/html/static',
      staticPath: '/assets',
    });
    expect(options.static).toEqual({ dir: '/root/html/static/', path: '/assets/' });
  });

  it.each([
    ['bücher.de', 'xn--bcher-kva.de (its IDNA form, which nginx, Apache and certificates use)'],
    ['Example.com.', 'example.com (without the final dot)'],
    ['*.bücher.de', '*.xn--bcher-kva.de (its IDNA form, which nginx, Apache and certificates use)'],
  ])('names the host name it would take for --domain %s', (domain, hint) => {
    expect(() => parseGenerationOptions({ domain: [domain], backend: ['8282'] })).toThrow(
      `; for this one: ${hint}`,
    );
  });

  it.each([
    '/ws//',
    '//ws',
    '/../ws',
    '/ws/..',
    '/./ws',
    '/ws/.',
  ])('refuses --path %s, which nginx and Apache normalise before matching, so it would never match', (path) => {
    expect(() => parseGenerationOptions({ domain: ['a.test'], backend: ['1'], path })).toThrow(
      `--path: ${JSON.stringify(path)} is not allowed`,
    );
    expect(() =>
      parseGenerationOptions({ domain: ['a.test'], backend: ['1'], staticDir: '/srv', staticPath: path }),
    ).toThrow(`--static-path: ${JSON.stringify(path)} is not allowed`);
  });

  it.each(['/ws.v2', '/.well-known-ish/ws', '/a..b', '/ws/'])('keeps --path %s', (path) => {
    expect(parseGenerationOptions({ domain: ['a.test'], backend: ['1'], path }).path).toBe(path);
  });

  it('names no other host name when there is none to suggest', () => {
    expect(() => parseGenerationOptions({ domain: ['a b.de'], backend: ['8282'] })).toThrow(
      /optionally starting with "\*\."$/,
    );
  });

  it('names the certbot lineage without the wildcard', () => {
    expect(parseGenerationOptions({ ...valid, domain: ['*.example.com'] }).cert).toBe(
      '/etc/letsencrypt/live/example.com/fullchain.pem',
    );
  });

  it('accepts file paths in any script, as the seeds use', () => {
    expect(parseGenerationOptions({ ...valid, staticDir: '/网站/目录' }).static?.dir).toBe('/网站/目录/');
  });
});

describe('durationToSeconds', () => {
  it.each([
    ['90s', 90],
    ['10m', 600],
    ['1h', 3600],
    ['168h', 604800],
    ['169h', undefined],
    ['1d', undefined],
    ['01s', undefined],
  ])('%s → %s', (text, seconds) => {
    expect(durationToSeconds(text)).toBe(seconds);
  });
});
