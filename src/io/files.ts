import { existsSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';

/** Throws before anything is done when `path` exists and overwriting was not asked for. */
export function assertWritable(path: string, force: boolean): void {
  if (existsSync(path) && !force) {
    throw new UsageError(`--out: ${path} exists; give --force to replace it`);
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
