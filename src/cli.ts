/**
 * The entry point, and the one place that turns results and errors into output and exit codes:
 *   0 success · 1 a problem was found · 2 bad input or usage · 70 a bug in wss-conf.
 *
 * A plain render (`wss-conf <server>` with ordinary flags, for each server of src/servers/registry.ts) takes a fast path: its flags are parsed
 * from the same table commander is built from (src/site-flags.ts), and commander is never loaded.
 * Everything else, help and every flag error included, goes through commander (src/program.ts).
 */
import { isInterrupted, isProblemFound, isUsageError, signalNumbers } from './core/errors.js';
import { toolVersion } from './generated/package-info.js';
import { color, print } from './print.js';
import { isServerName, serverNamed } from './servers/registry.js';
import { parseRenderFlags, pickGenerationInput } from './site-flags.js';

async function renderFast(argv: readonly string[]): Promise<boolean> {
  const [command, ...args] = argv;
  if (command === undefined || !isServerName(command)) return false;
  const flags = parseRenderFlags(args);
  if (!flags) return false;
  // The server's own render bundle (scripts/bundle.mjs turns this import into a require of it).
  const { run } = await serverNamed(command).load.command();
  print(await run(pickGenerationInput(flags), flags), flags);
  return true;
}

/** commander's own errors (it has printed them); help and --version end with exit code 0. */
const isCommanderExit = (error: unknown): error is { exitCode: number } =>
  typeof (error as { code?: unknown })?.code === 'string' &&
  (error as { code: string }).code.startsWith('commander.') &&
  typeof (error as { exitCode?: unknown }).exitCode === 'number';

/**
 * A reader that stops early (`wss-conf lint big.conf | head -1`) closes the pipe, and the next write
 * fails with EPIPE. Like other command-line tools, stop quietly then: nobody is left to read the rest,
 * and the exit code is the command's own when it has one.
 */
function stopQuietlyWhenOutputCloses(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}
stopQuietlyWhenOutputCloses(process.stdout);
stopQuietlyWhenOutputCloses(process.stderr);

export async function main(argv: readonly string[]): Promise<number> {
  try {
    if (!(await renderFast(argv))) await (await import('./program.js')).runProgram(argv);
    return 0;
  } catch (error) {
    if (isCommanderExit(error)) return error.exitCode === 0 ? 0 : 2;
    if (isUsageError(error)) {
      process.stderr.write(`${color.red('error:')} ${error.message}\n`);
      return 2;
    }
    if (isInterrupted(error)) {
      // Whatever was begun is undone (apply, rollback); 128 + the signal's number, as a shell says.
      process.stdout.write(error.stdout);
      process.stderr.write(`${color.red('interrupted:')} ${error.message}\n`);
      return 128 + signalNumbers[error.signal];
    }
    if (isProblemFound(error)) {
      process.stdout.write(error.stdout);
      process.stderr.write(`${color.red('problem:')} ${error.message}\n`);
      return 1;
    }
    process.stderr.write(
      `${(error as Error)?.stack ?? String(error)}\n\nThis is a bug in wss-conf ${toolVersion}. ` +
        'Please report it with the command you ran.\n',
    );
    return 70;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
