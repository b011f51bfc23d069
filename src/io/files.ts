import { accessSync, constants, type Stats, statSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { UsageError } from '../core/errors.js';

/**
 * Throws a UsageError (exit 2) before anything is done when `--out <path>` cannot be written as a
 * file: empty, ending in a slash, a directory, in a directory that is missing or is not one, or that
 * cannot be written in, or an existing file when overwriting was not asked for. Without this the
 * write itself failed with ENOENT, ENOTDIR or EISDIR after the render (and --check) had run, and
 * surfaced as a crash.
 *
 * A missing directory is an error, not created (unlike `wss-conf cert --out <dir>`, which names a
 * directory of its own): a site file goes into a directory the server already reads
 * (sites-available/, conf.d/), so one that does not exist is far more likely a typo than a wish.
 */
export function assertWritable(path: string, force: boolean): void {
  const allowed = 'give the path of a file in an existing directory';
  if (path === '')
    throw new UsageError(`--out: the path is empty; ${allowed}, or drop --out to print to stdout`);
  if (path.endsWith('/') || path.endsWith(sep)) {
    throw new UsageError(
      `--out: ${path} ends in "/", so it names a directory; ${allowed}, e.g. ${path}site.conf`,
    );
  }
  const existing = statForOut(path);
  if (existing?.isDirectory()) {
    throw new UsageError(`--out: ${path} is a directory; ${allowed}, e.g. ${join(path, 'site.conf')}`);
  }
  if (existing && !force) throw new UsageError(`--out: ${path} exists; give --force to replace it`);
  const directory = dirname(path);
  const parent = statForOut(directory);
  if (!parent) {
    throw new UsageError(`--out: the directory ${directory} does not exist; create it first, or ${allowed}`);
  }
  if (!parent.isDirectory()) throw new UsageError(`--out: ${directory} is not a directory; ${allowed}`);
  try {
    // The file is written through a temporary file beside it (writeFileAtomic), so the directory must
    // be writable, not just the file.
    accessSync(directory, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`--out: cannot write in ${directory} (${code}); ${allowed} you may write in`);
  }
}

/** The entry at `path`, or undefined when there is none (ENOENT, or ENOTDIR: a part of it is a file);
 *  any other failure (EACCES on a directory on the way, ELOOP) is an --out error of its own. */
function statForOut(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return undefined;
    throw new UsageError(`--out: cannot look at ${path} (${code ?? String(error)})`);
  }
}

/**
 * Writes through a temporary file in the same directory and renames it into place, so a reader (or a
 * reloading server) sees the old file or the new one, never a half-written one.
 */
export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
  // pid + time is unique enough with the exclusive 'wx' flag, and spares loading node:crypto at startup.
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}-${Date.now()}.tmp`);
  try {
    await writeFile(temporary, content, { mode, flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
