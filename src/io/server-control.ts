/** What `apply` and `rollback` need from a server: test the whole real configuration, and reload it. */
export interface CommandOutcome {
  readonly ok: boolean;
  /** The command as run, for the checklist. */
  readonly command: string;
  /** What the server said (stderr and stdout), trimmed. */
  readonly output: string;
}

export interface ServerControl {
  readonly server: 'nginx' | 'apache';
  testConfig(): Promise<CommandOutcome>;
  reload(): Promise<CommandOutcome>;
}

/** Runs a command with an argument array (never a shell string) and never throws for a failure. */
export async function runCommand(bin: string, args: readonly string[]): Promise<CommandOutcome> {
  const { execa } = await import('execa');
  const result = await execa(bin, args, { reject: false, timeout: 60_000, all: true });
  const output =
    (result.all ?? '').trim() || (result.exitCode === undefined ? (result.shortMessage ?? '') : '');
  return { ok: result.exitCode === 0, command: [bin, ...args].join(' '), output };
}

/** True when systemd runs `unit` (then reloads go through systemctl, as the unit expects). */
export async function systemdManages(unit: string): Promise<boolean> {
  return (await runCommand('systemctl', ['is-active', '--quiet', unit])).ok;
}
