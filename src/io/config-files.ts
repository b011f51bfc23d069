/**
 * Reading config files for lint: the files given on the command line, and those their includes name.
 * The pure parsers get `includeResolver(...)` as a callback and never touch the disk themselves.
 */
import { isAscii } from 'node:buffer';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { IncludeResolver, SourceFile } from '../lint/finding.js';
import { expandGlob, hasGlobMagic } from './glob.js';

/** How a file is named in findings: relative to the working directory when inside it (so SARIF
 *  paths resolve against a CI checkout), else absolute. */
export function displayName(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** The largest config file lint reads: 64 MiB, 20 times the size of a 5,000-site nginx config
 *  (bench/lint.mjs writes 80,000 lines in 3 MiB) and twice that of 146,000 server blocks. A larger
 *  "config" is a mistake such as `include /var/log/*;`, and lint must stay within 1 GB of memory. */
export const maxConfigBytes = 64 * 1024 * 1024;

/** Why a path is not read as a config file, or undefined when it can be. nginx and httpd would open
 *  a FIFO or a device too (and hang on a FIFO, or read /dev/zero as empty); lint reads only regular
 *  files, so it always ends. */
function unreadableReason(path: string): string | undefined {
  const stats = statSync(path);
  // A directory is left to readFileSync, whose EISDIR the callers already explain.
  if (!stats.isFile() && !stats.isDirectory()) {
    // Proven with nginx 1.22.1: `nginx -t` waits forever opening a FIFO with no writer, and reads
    // /dev/zero as an empty file (it trusts fstat's size, 0), so such an include adds nothing.
    if (stats.isFIFO()) return 'not a regular file but a FIFO, which nginx -t and httpd wait on forever';
    if (stats.isCharacterDevice() || stats.isBlockDevice()) {
      return 'not a regular file but a device, from which nginx reads nothing (its size is 0)';
    }
    return 'not a regular file';
  }
  if (stats.size > maxConfigBytes) {
    return `larger than ${maxConfigBytes / 1024 / 1024} MiB (${stats.size} bytes)`;
  }
  return undefined;
}

/** Thrown when a path names something lint does not read (see unreadableReason). */
export class NotAConfigFile extends Error {
  constructor(
    reason: string,
    readonly path: string,
  ) {
    super(reason);
  }
}

export const readSource = (path: string, cwd: string): SourceFile => {
  const reason = unreadableReason(path);
  if (reason !== undefined) throw new NotAConfigFile(reason, path);
  return { name: displayName(path, cwd), text: decode(readFileSync(path)) };
};

/** Config files are nearly always ASCII, which needs no UTF-8 decoding: checking that first and
 *  copying the bytes (latin1) takes 15 ms where decoding takes 22 on 2.2 MB (bench/lint.mjs). */
const decode = (bytes: Buffer): string =>
  isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');

/** Every file under a directory, sorted, as httpd's Include reads a directory. */
const filesUnder = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(join(directory, entry.name)) : [join(directory, entry.name)],
    );

/**
 * Resolves an include the way nginx (and httpd without ServerRoot) does: relative patterns against the
 * directory of the main file, globs expanded and sorted, a glob that matches nothing is no error.
 */
export function includeResolver(cwd: string): IncludeResolver {
  // A snippet included by every server block is read from disk once.
  const read = new Map<string, SourceFile>();
  const source = (path: string): SourceFile => {
    let file = read.get(path);
    if (!file) {
      file = readSource(path, cwd);
      read.set(path, file);
    }
    return file;
  };
  return (pattern, mainFile) => {
    const base = dirname(resolve(cwd, mainFile));
    const absolute = resolve(base, pattern);
    try {
      const paths = hasGlobMagic(pattern) ? expandGlob(absolute) : [absolute];
      const files = paths.flatMap((path) => (statSync(path).isDirectory() ? filesUnder(path) : [path]));
      return { files: files.map(source) };
    } catch (error) {
      if (error instanceof NotAConfigFile) {
        return {
          unreadable: `include ${pattern}: ${displayName(error.path, cwd)} is ${error.message}; not read, not linted`,
          refused: true,
        };
      }
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      return {
        unreadable: `include ${pattern}: cannot read ${displayName(absolute, cwd)} (${code}); not linted`,
      };
    }
  };
}

/** For --check-files: whether a certificate path exists, relative paths taken from the main file's
 *  directory (nginx's configuration prefix). */
export function certificateExists(cwd: string): (path: string, mainFile: string) => boolean {
  return (path, mainFile) => {
    try {
      return statSync(resolve(dirname(resolve(cwd, mainFile)), path)).isFile();
    } catch {
      return false;
    }
  };
}
