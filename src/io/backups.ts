/**
 * Timestamped backups of a target file in `.wss-conf-backups/<file name>/` next to it. A hidden
 * directory, so neither nginx's `include conf.d/*.conf` nor Apache's `IncludeOptional sites-enabled/*`
 * ever reads a backup as configuration. "absent" records that there was no file before a first apply,
 * so rolling that back removes the file.
 */

import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const backupDirectory = (target: string): string =>
  join(dirname(target), '.wss-conf-backups', basename(target));

const absentMarker = '.absent';

/** Copies the current target aside and returns the backup's path. */
export async function backUp(target: string, now = new Date()): Promise<string> {
  const dir = backupDirectory(target);
  await mkdir(dir, { recursive: true });
  // Sortable, filesystem-safe, and unique per millisecond; a counter breaks ties.
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let name = stamp;
  for (let i = 1; existsSync(join(dir, name)) || existsSync(join(dir, name + absentMarker)); i++)
    name = `${stamp}-${i}`;
  if (existsSync(target)) {
    const path = join(dir, name);
    await copyFile(target, path);
    return path;
  }
  const path = join(dir, name + absentMarker);
  await writeFile(path, '');
  return path;
}

/** Puts a backup back in place (or removes the target when the backup records its absence). */
export async function restore(backup: string, target: string): Promise<void> {
  if (backup.endsWith(absentMarker)) {
    await rm(target, { force: true });
    return;
  }
  const { writeFileAtomic } = await import('./files.js');
  const { readFile } = await import('node:fs/promises');
  await writeFileAtomic(target, await readFile(backup, 'utf8'));
}

/** Backups, oldest first. */
export async function listBackups(target: string): Promise<string[]> {
  const dir = backupDirectory(target);
  if (!existsSync(dir)) return [];
  return (await readdir(dir)).sort().map((name) => join(dir, name));
}

/** Keeps the newest `keep` backups. */
export async function pruneBackups(target: string, keep: number): Promise<void> {
  const all = await listBackups(target);
  await Promise.all(all.slice(0, Math.max(0, all.length - keep)).map((path) => rm(path, { force: true })));
}
