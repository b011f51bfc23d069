// npm run schema: writes schema.json (for editors completing --config files) from the zod schema, via
// the tsc output. test/unit/options-file.test.ts fails when the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { optionsFileJsonSchema } from '../dist/lib/core/options.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
writeFileSync(join(root, 'schema.json'), `${JSON.stringify(optionsFileJsonSchema(), null, 2)}\n`);
