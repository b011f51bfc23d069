import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UsageError } from '../core/errors.js';
import { optionsFromFile } from '../core/options.js';

/**
 * Reads --config: JSON for *.json, YAML otherwise (YAML is a superset of JSON). The YAML parser loads
 * only when a file needs it.
 */
export async function readOptionsFile(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--config: cannot read ${path} (${error.code ?? error.message})`);
  });
  let data: unknown;
  try {
    if (extname(path) === '.json') {
      data = JSON.parse(text);
      // JSON.parse keeps the last of a key given twice; YAML (a superset of JSON) refuses it, so both
      // kinds of file say the same. Its message names the line and column.
      const duplicate = (await import('yaml'))
        .parseDocument(text)
        .errors.find((error) => error.code === 'DUPLICATE_KEY');
      if (duplicate) throw duplicate;
    } else data = (await import('yaml')).parse(text);
  } catch (error) {
    throw new UsageError(
      `${path}: not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
    );
  }
  return optionsFromFile(data, path);
}
