import { accessSync, constants, type Stats, statSync } from 'node:fs';
import { type FileHandle, lstat, open, readlink, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
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

/** What an existing file is: kept across a replace (mode, owner), so a 0640 root:nogroup file stays so. */
export interface FileShape {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface AtomicWriteOptions {
  /** Mode and owner for the new file; default: those of the file replaced, else 0644 (or `mode`). */
  readonly shape?: FileShape;
  readonly mode?: number;
}

/**
 * Writes through a temporary file in the same directory and renames it into place, so a reader (or a
 * reloading server) sees the old file or the new one, never a half-written one.
 *
 * Durability (what ext4 and XFS need for a rename to survive a power cut with its content, see
 * rename(2)): the temporary file is fsync'd before the rename, and the directory after it. The file
 * replaced keeps its mode and owner unless `shape` says otherwise.
 *
 * A symlink at `path` is written through: the file it points to is replaced (in its own directory),
 * and the link stays a link. This is what `sites-enabled/x.conf → ../sites-available/x.conf` and a
 * target kept in a git checkout expect; replacing the link by a plain file would fork the config.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Buffer,
  options: AtomicWriteOptions | number = {},
): Promise<void> {
  const { shape: given, mode } = typeof options === 'number' ? { mode: options, shape: undefined } : options;
  const real = await realTarget(path);
  const existing = await stat(real).catch(() => undefined);
  const shape: FileShape | undefined =
    given ?? (existing ? { mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid } : undefined);
  // pid + time is unique enough with the exclusive 'wx' flag, and spares loading node:crypto at startup.
  const temporary = join(dirname(real), `.${basename(real)}.${process.pid}-${Date.now()}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', shape?.mode ?? mode ?? 0o644);
    await handle.writeFile(content);
    // open()'s mode is cut by the umask; chmod is not.
    await handle.chmod(shape?.mode ?? mode ?? 0o644);
    if (shape && (shape.uid !== process.getuid?.() || shape.gid !== process.getgid?.())) {
      await handle.chown(shape.uid, shape.gid);
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, real);
    await syncDirectory(dirname(real));
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw withPath(error, real);
  }
}

/**
 * Errors of a write or fsync on an open file (ENOSPC, EIO, EDQUOT) carry no path in Node 20, and the
 * message must name one: the file being written.
 */
export function withPath(error: unknown, path: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && e.path === undefined) e.path = path;
  return error;
}

/** The file a write to `path` lands in: `path` itself, or the end of its chain of symlinks. */
export async function realTarget(path: string): Promise<string> {
  const link = await lstat(path).catch(() => undefined);
  if (!link?.isSymbolicLink()) return path;
  try {
    return await realpath(path);
  } catch {
    // A dangling link: write where it points, as `cat > link` would.
    return resolve(dirname(path), await readlink(path));
  }
}

/** fsync(2) on a directory makes a rename or unlink in it durable. Some file systems refuse (EINVAL). */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // EINVAL/EISDIR on file systems without directory fsync: nothing more can be done.
  } finally {
    await handle.close();
  }
}

/** The errno codes that are the machine's state, not a bug: reported with the path, exit 1. */
const fileSystemCodes = new Set([
  'ENOSPC',
  'EDQUOT',
  'EACCES',
  'EPERM',
  'EROFS',
  'EEXIST',
  'EISDIR',
  'ENOTDIR',
  'ENOENT',
  'EIO',
  'ELOOP',
  'EMFILE',
  'ENFILE',
  'EBUSY',
  'ENOTEMPTY',
  'EXDEV',
]);

const causes: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  ENOENT: 'no such file or directory',
  EIO: 'input/output error',
  EBUSY: 'busy (a mount point, or in use)',
};

/** A file-system failure, as a sentence naming the path and the cause, or undefined for anything else. */
export function fileSystemProblem(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException;
  if (!e || typeof e.code !== 'string' || !fileSystemCodes.has(e.code)) return undefined;
  const dest = (e as { dest?: string }).dest;
  const where = dest ? `${e.path} → ${dest}` : (e.path ?? 'a file');
  return `${where}: ${causes[e.code] ?? e.code} (${e.code})`;
}
