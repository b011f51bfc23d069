/**
 * A journal of the apply or rollback under way, `.wss-conf-backups/<file>.journal` beside the lock.
 * SIGKILL (or a power cut) cannot be caught: the journal says what the next apply or rollback must
 * undo first. It is written (and fsync'd) before each change to the target and removed when the
 * command has finished, either way.
 */
import { readFile, rm } from 'node:fs/promises';
import { backupDirectory, type ServerRecord } from './backups.js';
import { writeFileAtomic } from './files.js';

export interface Journal {
  readonly command: 'apply' | 'rollback';
  readonly pid: number;
  readonly target: string;
  /** The backup that puts the target back as it was before the command. */
  readonly backup: string;
  /** The step that was under way. */
  readonly step: string;
  /** A sites-enabled link the command made, to be removed. */
  readonly createdLink?: string;
  /** The reload signal may have been sent: putting the old file back takes another reload. */
  readonly reloaded: boolean;
  readonly server: ServerRecord;
}

export const journalPath = (target: string): string => `${backupDirectory(target)}.journal`;

export async function writeJournal(journal: Journal): Promise<void> {
  await writeFileAtomic(journalPath(journal.target), `${JSON.stringify(journal)}\n`, { mode: 0o600 });
}

/** The unfinished journal of `target`, if any; a garbled one is reported as such. */
export async function readJournal(target: string): Promise<Journal | 'garbled' | undefined> {
  let text: string;
  try {
    text = await readFile(journalPath(target), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const journal = JSON.parse(text) as Journal;
    return typeof journal.backup === 'string' ? journal : 'garbled';
  } catch {
    return 'garbled';
  }
}

export async function clearJournal(target: string): Promise<void> {
  await rm(journalPath(target), { force: true });
}
