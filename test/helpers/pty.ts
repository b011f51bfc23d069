/**
 * A real pseudo-terminal for the tests, through tmux: the CLI runs in a detached tmux pane (stdin,
 * stdout and stderr are the pane's pty unless the command line redirects them), the test types into it
 * with send-keys and reads the screen with capture-pane.
 *
 * Each terminal has its own tmux server (-S, a socket in a temporary directory of its own; -f /dev/null,
 * no user config), so tests never see each other's panes or the user's sessions, and close() ends only
 * that server.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Terminal {
  /** Waits until the screen matches `pattern`, and returns the screen; fails with the screen shown. */
  readonly waitFor: (pattern: RegExp | string, timeoutMs?: number) => Promise<string>;
  /** Types `text` literally (no key names), then presses Enter. */
  readonly answer: (text: string) => void;
  /** Presses keys by tmux name: `Enter`, `C-u`, `C-c`. */
  readonly press: (...keys: string[]) => void;
  /** Everything the terminal showed (the scrolled-off lines too), wrapped lines joined. */
  readonly screen: () => string;
  /** Waits for the command to end and returns its exit status. */
  readonly exitStatus: (timeoutMs?: number) => Promise<number>;
  readonly close: () => void;
}

/** Quotes `arg` for the POSIX shell tmux runs the command line with. */
export const shellQuote = (arg: string): string => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * Runs `commandLine` (a shell command line; build it with shellQuote) on a new 200x50 terminal with
 * exactly `env`. The pane stays after the command ends, so its last screen can be read.
 */
export function startTerminal(commandLine: string, env: NodeJS.ProcessEnv): Terminal {
  const home = mkdtempSync(join(tmpdir(), 'wss-conf-pty-'));
  const socket = join(home, 'tmux.sock');
  const tmux = (...args: string[]) => {
    const result = spawnSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], {
      encoding: 'utf8',
      env,
    });
    if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr || result.error}`);
    return result.stdout;
  };
  // The shell around the command records its exit status: tmux's own (#{pane_dead_status}) proved
  // unreliable here, the ended command sometimes staying an unreaped zombie for tmux 3.3a.
  const statusFile = join(home, 'status');
  const recorded = `${commandLine}; echo $? > ${shellQuote(statusFile)}`;
  // remain-on-exit is set before the session exists, so even a command that ends at once stays readable.
  tmux(
    'start-server',
    ';',
    'set-option',
    '-g',
    'remain-on-exit',
    'on',
    ';',
    'new-session',
    '-d',
    '-s',
    'cli',
    '-x',
    '200',
    '-y',
    '50',
    recorded,
  );

  // -S -: from the start of the history. When the command ends, tmux adds "Pane is dead" at the foot
  // of a full screen, which scrolls the first line out of the visible part.
  const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'cli');
  const until = async <T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return {
    waitFor: (pattern, timeoutMs = 15000) =>
      until(
        String(pattern),
        () => {
          const text = screen();
          return (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text))
            ? text
            : undefined;
        },
        timeoutMs,
      ),
    answer: (text) => {
      if (text !== '') tmux('send-keys', '-t', 'cli', '-l', text);
      tmux('send-keys', '-t', 'cli', 'Enter');
    },
    press: (...keys) => {
      tmux('send-keys', '-t', 'cli', ...keys);
    },
    screen,
    exitStatus: (timeoutMs = 30000) =>
      until(
        'the command to end',
        () => {
          const status = existsSync(statusFile) ? readFileSync(statusFile, 'utf8') : '';
          // Written by `echo`, so complete once it ends with the newline.
          return status.endsWith('\n') ? Number(status) : undefined;
        },
        timeoutMs,
      ),
    close: () => {
      spawnSync('tmux', ['-S', socket, '-f', '/dev/null', 'kill-server'], { stdio: 'ignore', env });
      // kill-server leaves the socket file behind.
      rmSync(home, { recursive: true, force: true });
    },
  };
}
