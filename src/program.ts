/**
 * Commander wiring only: every command, its flags, its --help examples. Commands are imported when
 * they run; errors go up to src/cli.ts, the one place that turns them into exit codes.
 */
import { Command, Option } from 'commander';
import { UsageError } from './core/errors.js';
import { toolVersion } from './generated/package-info.js';
import { liveOutput, print } from './print.js';
import { lintServerNames, orList, serverNames, servers } from './servers/registry.js';
import {
  applyDefaults,
  commanderFlags,
  type FlagSpec,
  pickGenerationInput,
  quietFlag,
  renderFlags,
  type ServerName,
  singleValue,
  siteFlags,
} from './site-flags.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function addFlags(command: Command, specs: readonly FlagSpec[], server: ServerName | 'the server'): Command {
  for (const spec of specs) {
    if (spec.repeatable) command.option(commanderFlags(spec), spec.describe(server), collect);
    else if (spec.value) command.option(commanderFlags(spec), spec.describe(server), singleValue(spec));
    else command.option(commanderFlags(spec), spec.describe(server));
  }
  return command;
}

/** The generation options of DESIGN.md, shared by `nginx`, `apache` and `apply`. */
const addSiteOptions = (command: Command, server: ServerName | 'the server') =>
  addFlags(command, siteFlags, server);

/** `nginx` and `apache`: the generation options plus where and how the file is written. */
export const addGenerationOptions = (command: Command, server: ServerName) =>
  addFlags(addSiteOptions(command, server), renderFlags, server);

/** `-q, --quiet` for the commands whose flags are not built from src/site-flags.ts. */
const addQuiet = (command: Command): Command =>
  command.option(commanderFlags(quietFlag), quietFlag.describe('nginx'));

/** Which running server `apply` and `rollback` act on: each server's --<name>-* flags (its definition). */
function addServerLocationOptions(command: Command): Command {
  for (const server of servers) {
    for (const spec of server.instanceFlags) command.option(`--${spec.flag} <${spec.value}>`, spec.help);
  }
  return command;
}

/** The servers apply and rollback act on (a control in their definition), and their --<name>-* flags. */
const applyServers = () => servers.filter((server) => server.load.control).map((server) => server.name);
const instanceFlagGlobs = () => applyServers().map((name) => `--${name}-*`);

const examples = {
  cert: `
Examples:
  $ wss-conf cert --domain wss.example.test --out ./certs
  $ wss-conf cert --domain example.test --domain www.example.test --days 30 --rsa`,
  apply: `
Examples:
  $ wss-conf apply nginx --domain example.com --backend 8282 --enable --dry-run
  $ wss-conf apply nginx --domain example.com --backend 8282 --enable --verify wss://example.com/
  $ wss-conf apply nginx --domain example.com --backend 8282 --enable --acme --acme-email ops@example.com
  $ wss-conf apply nginx --from site.conf --target /etc/nginx/conf.d/example.com.conf
  $ wss-conf apply apache --domain example.com --backend 8282 --path /wss --enable --verify wss://example.com/wss
  $ wss-conf apply haproxy --domain example.com --backend 10.0.0.5:8282 --backend 10.0.0.6:8282 --verify wss://example.com/

apply haproxy installs the whole haproxy.cfg and reloads the master (-W) with SIGUSR2: open sockets
stay on the old worker. Docs: docs/servers/haproxy.md`,
  rollback: `
Examples:
  $ wss-conf rollback --target /etc/nginx/sites-available/example.com.conf`,
  nginx: `
Examples:
  $ wss-conf nginx --domain example.com --backend 8282
  $ wss-conf nginx --domain example.com --backend 8282 --path /wss --out /etc/nginx/sites-available/example.com.conf
  $ wss-conf nginx --domain game.example.com --backend 10.0.0.5:9000 --backend 10.0.0.6:9000 --balance ip-hash
  $ wss-conf nginx --domain example.com --backend 3000 --static-dir /root/html/static --timeout 10m --check
  $ wss-conf nginx --domain example.com --backend 8282 --max-clients 10000 --runbook > deploy.md
  $ wss-conf nginx > example.com.conf        # on a terminal: asks for what is missing`,
  apache: `
Examples:
  $ wss-conf apache --domain example.com --backend 8282 --path /wss --cert /server/httpd/cert/fullchain.pem --key /server/httpd/cert/your.key
  $ wss-conf apache --domain example.com --backend 8282 --out /etc/apache2/sites-available/example.com.conf --check
  $ wss-conf apache --domain game.example.com --backend 10.0.0.5:9000 --backend 10.0.0.6:9000 --balance round-robin
  $ wss-conf apache --domain example.com --backend 3000 --static-dir /var/www/static --server-version 2.4.58
  $ wss-conf apache --domain example.com --backend 8282 --path /wss --runbook

Without --server-version the file is for the installed Apache (apache2 -v / httpd -v), else for 2.4.37:
from 2.4.47 the WebSocket goes through ProxyPass … upgrade=websocket, before that through mod_proxy_wstunnel.`,
  haproxy: `
Examples:
  $ wss-conf haproxy --domain example.com --backend 10.0.0.5:8282 --backend 10.0.0.6:8282 --out haproxy.cfg --check
  $ wss-conf haproxy --domain example.com --backend 8282 --path /wss --timeout 10m --balance round-robin
  $ wss-conf haproxy --domain example.com --backend 8282 --cert /etc/haproxy/certs/example.com.pem --key /etc/haproxy/certs/example.com.pem

A complete haproxy.cfg (global, defaults, frontends, backend). HAProxy before 3.0 reads the private key
from the certificate file or from <cert>.key, not from --key: for certbot, once,
  ln -s /etc/letsencrypt/live/example.com/privkey.pem /etc/letsencrypt/live/example.com/fullchain.pem.key
HAProxy serves no files: --static-dir is refused, and --acme too (it serves certbot's challenge files;
get the certificate with certbot certonly --standalone first). Docs: docs/servers/haproxy.md`,
  check: `
Examples:
  $ wss-conf check example.com.conf
  $ wss-conf nginx --domain example.com --backend 8282 --out site.conf && wss-conf check site.conf
  $ wss-conf check /etc/apache2/sites-available/example.com.conf --server apache
  $ wss-conf check haproxy.cfg --server haproxy`,
  lint: `
Examples:
  $ wss-conf lint /etc/nginx/nginx.conf
  $ wss-conf lint sites/example.com.conf --server-version 1.26.0 --ws-path /socket --fail-on warning
  $ wss-conf lint deploy/apache/site.conf --format sarif > wss-conf.sarif
  $ wss-conf lint deploy/nginx/*.conf --ping-interval 25s --format github   (in a GitHub Actions step)
  $ wss-conf lint /etc/haproxy/haproxy.cfg   (haproxy rules: docs/servers/haproxy.md)

Exit status: 1 when a finding is at or above --fail-on (default: error), 2 for bad usage or an
unreadable file, 0 otherwise. Silence one finding with a comment on the line before it:
  # wss-conf-ignore <rule> <reason>`,
  probe: `
Examples:
  $ wss-conf probe wss://example.com/wss
  $ wss-conf probe wss://example.com/wss --send hello --idle 70s     # does a quiet socket survive 70 s?
  $ wss-conf probe wss://example.com/wss --resolve example.com:443:203.0.113.7 --ca ca.pem
  $ wss-conf probe wss://example.com/wss --json

Exit status: 0 when every stage passes, 1 when one fails (the report says which, why and the fix).`,
} satisfies Record<ServerName, string> & Record<string, string>;

/**
 * Ends every command's --help with its page, docs/<command>.md. The package ships docs/ (package.json
 * "files"), so the page is in an installed copy too, and at the version's public URL.
 */
function addDocsPages(program: Command): Command {
  for (const command of program.commands) {
    const page = `docs/${command.name()}.md`;
    command.addHelpText('after', `\nDocs: ${page} (https://unpkg.com/wss-conf@${toolVersion}/${page})`);
  }
  return program;
}

/**
 * Commander takes the word after a flag that needs a value as that value, even when it is another
 * flag: `apply haproxy --target --dry-run` was a real apply into a file named "--dry-run", and
 * `--haproxy-bin --dry-run` a real apply on /etc/haproxy/haproxy.cfg. A value that is one of the
 * command's own flags is a usage error (a file really named so can be given as ./--dry-run).
 */
function refuseFlagsAsValues(command: Command): void {
  const own = new Set(command.options.flatMap((option) => [option.long, option.short]).filter(Boolean));
  for (const option of command.options) {
    if (!option.required && !option.optional) continue;
    const value = command.getOptionValue(option.attributeName());
    for (const given of Array.isArray(value) ? value : [value]) {
      if (typeof given === 'string' && own.has(given.split('=')[0])) {
        throw new UsageError(
          `${option.long}: needs a value; "${given}" is a flag (a file of that name: ./${given})`,
        );
      }
    }
  }
}

/** "a, b and c": the registered servers, in the top-level help. */
const andList = (names: readonly string[]): string =>
  names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;

export function buildProgram(): Command {
  const program = new Command('wss-conf')
    .description(
      `Render, check and run TLS-terminating WebSocket (wss://) proxies for ${andList(servers.map((server) => server.title))}.`,
    )
    .version(toolVersion, '-v, --version')
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', (_program, command) => refuseFlagsAsValues(command));

  for (const server of servers) {
    addGenerationOptions(program.command(server.name), server.name)
      .description(server.description)
      .addHelpText('after', examples[server.name])
      .action(async (flags: Record<string, unknown>) => {
        const { run } = await server.load.command();
        print(await run(pickGenerationInput(flags), flags), flags);
      });
  }

  addQuiet(addServerLocationOptions(addSiteOptions(program.command('apply'), 'the server')))
    .description('install a site file, test, reload, verify, and roll back on any failure')
    .argument('<server>', orList(applyServers()))
    .option('--from <file>', 'install this rendered site file instead of rendering from the options')
    .option(
      '--target <file>',
      `where to install (default: system sites-available/ or conf.d/; required with ${instanceFlagGlobs().join(', ')})`,
    )
    .option('--enable', 'Debian layout: also link it from sites-enabled/')
    .option('--dry-run', 'print a unified diff (and the link --enable would make); change nothing')
    .option('--verify <wss-url>', 'after the reload, run wss-conf probe on it; roll back if it fails')
    .option('--verify-ca <file>', 'trust this CA for --verify (default: the system store)')
    .option('--verify-resolve <host:port:addr>', "connect --verify to addr, curl's --resolve form")
    .option('--keep <n>', `backups to keep (default: ${applyDefaults.keep})`)
    .option(
      '--lock-timeout <duration>',
      `wait this long for another apply to finish (default: ${applyDefaults.lockTimeout})`,
    )
    .option('--json', 'print the steps as JSON (a terminal otherwise shows each step as it happens)')
    .addHelpText('after', examples.apply)
    .action(async (server: string, flags: Record<string, unknown>) => {
      const { runApply } = await import('./commands/apply.js');
      print(await runApply(server, pickGenerationInput(flags), flags, { live: liveOutput(flags) }), flags);
    });

  addQuiet(addServerLocationOptions(program.command('rollback')))
    .description('put the newest backup of a target back, test, and reload')
    .option('--target <file>', 'the file a previous apply installed')
    .option(
      '--server <type>',
      `${orList(applyServers())} (default: the ${instanceFlagGlobs().join('/')} flags, else what the apply recorded)`,
    )
    .option(
      '--lock-timeout <duration>',
      `wait this long for another apply or rollback to finish (default: ${applyDefaults.lockTimeout})`,
    )
    .option('--json', 'print the result as JSON')
    .addHelpText('after', examples.rollback)
    .action(async (flags: Record<string, unknown>) => {
      const { runRollback } = await import('./commands/rollback.js');
      print(await runRollback(flags), flags);
    });

  addQuiet(program.command('cert'))
    .description('make a throwaway CA and a certificate for local testing')
    .option('--domain <name>', 'a name the certificate covers; repeat for more (required)', collect)
    .option('--out <dir>', 'where ca.pem, cert.pem and key.pem go (default: the current directory)')
    .option('--days <n>', 'validity in days (default: 90)')
    .option('--rsa', 'RSA 2048 instead of ECDSA P-256')
    .option('--force', 'replace existing files')
    .option('--json', 'print { files, domains, days }')
    .addHelpText('after', examples.cert)
    .action(async (flags: Record<string, unknown>) => {
      const { runCert } = await import('./commands/cert.js');
      print(await runCert(flags), flags);
    });

  addQuiet(program.command('check'))
    .description("run the real server's config test on a site file, isolated (no root, no /etc)")
    .argument('<file>', 'the site file to test')
    .addOption(
      new Option(
        '--server <type>',
        'the server the file is for (default: told from its content, as lint does)',
      ).choices(serverNames),
    )
    .option('--json', 'print { ok, file, server, output, notes } as JSON')
    .addHelpText('after', examples.check)
    .action(async (file: string, flags: Record<string, unknown>) => {
      const { runCheck } = await import('./commands/check.js');
      print(await runCheck(file, flags), flags);
    });

  addQuiet(program.command('lint'))
    .description('find WebSocket-proxy and TLS mistakes in nginx/Apache configs')
    .argument('<file...>', 'config files; their includes are followed')
    .addOption(
      new Option(
        '--server <type>',
        'the server the files are for (default: detected from the content)',
      ).choices(lintServerNames),
    )
    .addOption(
      new Option('--format <format>', 'report format (github: workflow annotations)')
        .choices(['text', 'json', 'sarif', 'github'])
        .default('text'),
    )
    .option('--json', 'the same as --format json')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a finding is this severe or worse')
        .choices(['error', 'warning'])
        .default('error'),
    )
    .option(
      '--server-version <x.y.z>',
      'the nginx or Apache version the files are for (default: assume an old one)',
    )
    .option(
      '--ws-path <prefix>',
      'a URL prefix that carries WebSocket traffic, whatever its name; repeatable',
      collect,
    )
    .option(
      '--ping-interval <duration>',
      'how often the app sends a frame on an idle socket (25s, 2m): judges proxy_read_timeout (nginx) and the tunnel timeout (httpd 2.4.47+)',
    )
    .option('--check-files', 'also report certificate and key files that do not exist here')
    .option(
      '--max-clients <n>',
      'warn when the main nginx.conf (or the MPM settings) cannot hold this many sockets at once',
    )
    .addHelpText('after', examples.lint)
    .action(async (files: string[], flags: Record<string, unknown>) => {
      const { runLint } = await import('./commands/lint.js');
      print(await runLint(files, flags), flags);
    });

  addQuiet(program.command('probe'))
    .description('connect like a browser and report, stage by stage, what works and what not')
    .argument('<url>', 'the wss:// (or ws://) URL a browser would open')
    .option('--ca <file>', 'trust this CA (PEM) instead of the system store')
    .option('--insecure', 'do not fail on certificate problems (they are still reported)')
    .option(
      '--resolve <host:port:addr>',
      'connect to addr for host:port, like curl; port may be *; repeatable',
      collect,
    )
    .option('--origin <url>', 'the Origin header to send (default: the https:// page of the same host)')
    .option('--send <text>', 'after the ping, send this text and expect a reply')
    .option('--idle <duration>', 'then stay silent this long (90s, 5m) and ping again')
    .option('--timeout <duration>', 'how long each stage may wait (default: 10s)')
    .option('--json', 'print { ok, url, stages, diagnosis } as JSON')
    .addHelpText('after', examples.probe)
    .action(async (url: string, flags: Record<string, unknown>) => {
      const { runProbe } = await import('./commands/probe.js');
      print(await runProbe(url, flags), flags);
    });

  return addDocsPages(program);
}

/** Parses `argv` (without node and the script) and runs the command; errors propagate to cli.ts. */
export async function runProgram(argv: readonly string[]): Promise<void> {
  await buildProgram().parseAsync(argv as string[], { from: 'user' });
}
