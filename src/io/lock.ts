/**
 * An exclusive lock beside the target, so concurrent applies run one after the other. The lock file
 * holds the owner's pid; a lock whose owner is gone (killed mid-apply) is taken over.
 */
import { readFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { ProblemFound } from '../core/errors.js';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export async function acquireLock(path: string, timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(safeRead(path), 10);
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new ProblemFound(`another apply (pid ${owner}) still holds ${path} after ${timeoutMs / 1000}s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const safeRead = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};
