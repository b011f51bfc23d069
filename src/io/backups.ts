/**
 * Timestamped backups of a target file in `.wss-conf-backups/<file name>/` next to it. A hidden
 * directory, so neither nginx's `include conf.d/*.conf` nor Apache's `IncludeOptional sites-enabled/*`
 * ever reads a backup as configuration. "absent" records that there was no file before a first apply,
 * so rolling that back removes the file.
 *
 * Beside each backup, `<backup>.json` records what a restore needs to put the file back exactly (mode,
 * owner, the symlink the target was) and which server and control flags the apply used, so that
 * `rollback` reloads that server and never guesses it from the file's text.
 */

import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ServerName } from '../servers/registry.js';
import { realTarget, syncDirectory, writeFileAtomic } from './files.js';

export const backupDirectory = (target: string): string =>
  join(dirname(target), '.wss-conf-backups', basename(target));

const absentMarker = '.absent';
const metaSuffix = '.json';

/** Which server an apply acted on, and the flags that name that instance (its --<server>-* flags). */
export interface ServerRecord {
  readonly server: ServerName;
  readonly bin?: string;
  readonly prefix?: string;
  readonly conf?: string;
  readonly root?: string;
}

export interface BackupRecord {
  /** There was no file at the target. */
  readonly absent: boolean;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** The target was a symlink to this (as readlink gives it); the content is that of the file it names. */
  readonly link?: string;
  readonly server?: ServerRecord;
}

/**
 * mkdir without `recursive`, where an existing entry is fine: Node's recursive mkdir reports a
 * read-only file system (EROFS) as ENOENT, which would name the wrong cause.
 */
export async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Copies the current target aside (content, mode, owner, link, and the server) and returns its path. */
export async function backUp(target: string, server?: ServerRecord, now = new Date()): Promise<string> {
  const dir = backupDirectory(target);
  await makeDirectory(dirname(dir));
  await makeDirectory(dir);
  // Sortable, filesystem-safe, and unique per millisecond; a counter breaks ties.
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let name = stamp;
  for (let i = 1; existsSync(join(dir, name)) || existsSync(join(dir, name + absentMarker)); i++)
    name = `${stamp}-${i}`;
  const entry = await lstat(target).catch(() => undefined);
  const file = entry ? await stat(target).catch(() => undefined) : undefined;
  const path = join(dir, file ? name : name + absentMarker);
  const record: BackupRecord = file
    ? {
        absent: false,
        mode: file.mode & 0o7777,
        uid: file.uid,
        gid: file.gid,
        ...(entry?.isSymbolicLink() ? { link: await readlink(target) } : {}),
        ...(server ? { server } : {}),
      }
    : { absent: true, ...(server ? { server } : {}) };
  try {
    if (file) {
      // A hard link to the file as it is: it costs no space (a full disk still gets a backup), and
      // it is the old file itself, because the apply replaces the target by a rename, never in place.
      // Another file system (a symlinked target elsewhere) gets a copy.
      const real = await realTarget(target);
      await link(real, path).catch(async () => {
        await copyFile(real, path);
        const handle = await open(path, 'r');
        await handle.sync().finally(() => handle.close());
      });
    } else {
      await writeFileAtomic(path, '');
    }
    await writeFileAtomic(path + metaSuffix, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    await syncDirectory(dir);
  } catch (error) {
    // A full disk half-way: no backup without its record, and no record without its backup.
    await rm(path, { force: true });
    await rm(path + metaSuffix, { force: true });
    throw error;
  }
  return path;
}

/** The record beside a backup; a backup made before records existed gets what its name tells. */
export async function backupRecord(backup: string): Promise<BackupRecord> {
  try {
    return JSON.parse(await readFile(backup + metaSuffix, 'utf8')) as BackupRecord;
  } catch {
    return { absent: backup.endsWith(absentMarker) };
  }
}

/** Puts a backup back exactly (or removes the target when the backup records its absence). */
export async function restore(backup: string, target: string): Promise<void> {
  const record = await backupRecord(backup);
  if (record.absent) {
    await rm(target, { force: true });
    await syncDirectory(dirname(target));
    return;
  }
  const shape =
    record.mode !== undefined && record.uid !== undefined && record.gid !== undefined
      ? { mode: record.mode, uid: record.uid, gid: record.gid }
      : undefined;
  const now = await lstat(target).catch(() => undefined);
  if (record.link !== undefined && !now?.isSymbolicLink()) {
    // The link itself was replaced: put it back, then the content through it.
    await rm(target, { force: true });
    await symlink(record.link, target);
  }
  const real = await realTarget(target);
  if (!(await renameLinkOver(backup, real, shape))) {
    await writeFileAtomic(real, await readFile(backup), shape ? { shape } : {});
  }
}

/**
 * Puts the backup's own inode back at `real` through a hard link and a rename: no new data is
 * written, so this works on a full disk, where the copy it replaces failed (ENOSPC). False when a
 * link cannot be made (another file system), and the caller copies.
 */
async function renameLinkOver(
  backup: string,
  real: string,
  shape: { mode: number; uid: number; gid: number } | undefined,
): Promise<boolean> {
  const temporary = join(dirname(real), `.${basename(real)}.${process.pid}-${Date.now()}.restore.tmp`);
  try {
    await link(backup, temporary);
  } catch {
    return false;
  }
  try {
    if (shape) {
      await chmod(temporary, shape.mode);
      await chown(temporary, shape.uid, shape.gid).catch((error: NodeJS.ErrnoException) => {
        // Not root: the owner stays this user's, as it was for a file this user could replace.
        if (error.code !== 'EPERM') throw error;
      });
    }
    await rename(temporary, real);
    await syncDirectory(dirname(real));
    return true;
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Removes a backup and its record. */
export async function removeBackup(backup: string): Promise<void> {
  await rm(backup, { force: true, recursive: true });
  await rm(backup + metaSuffix, { force: true });
}

/** Backups, oldest first (their records and temporary files left out). */
export async function listBackups(target: string): Promise<string[]> {
  const dir = backupDirectory(target);
  if (!existsSync(dir)) return [];
  return (await readdir(dir))
    .filter((name) => !name.endsWith(metaSuffix) && !name.endsWith('.tmp') && !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name));
}

/** Keeps the newest `keep` backups. */
export async function pruneBackups(target: string, keep: number): Promise<void> {
  const all = await listBackups(target);
  await Promise.all(all.slice(0, Math.max(0, all.length - keep)).map(removeBackup));
}
