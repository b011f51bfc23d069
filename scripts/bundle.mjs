// Bundles the tsc output (dist/lib) for a fast start; `wss-conf nginx` must start within 1.5x of a bare
// `node -e 0` (npm run bench:startup). Loading a few files instead of ~150 modules of zod, commander and
// handlebars is what makes that possible.
//
//   dist/cli.cjs            the entry (src/cli.ts): the fast path of a plain render, exit codes
//   dist/program.cjs        commander wiring (src/program.ts): help, flag errors, every other command
//   dist/render/nginx.cjs   `wss-conf nginx`: schema, nginx target, template, zod, handlebars runtime
//   dist/render/apache.cjs  `wss-conf apache`: the same for Apache
//   dist/render/haproxy.cjs `wss-conf haproxy`: the same for HAProxy
//   dist/lint.cjs           `wss-conf lint`: a CI step run on every push, timed against `nginx -t`
//                           (npm run bench:lint); loading its ~60 modules one by one as ES modules
//                           cost more than linting a small config
//   dist/lib/**             every other command (lint, probe, apply...), loaded from the tsc output
//
// CommonJS, because Node 20 starts a CommonJS entry ~5 ms faster than an ES module, and `require` (not
// `import()`) between the files, which would start the ES module loader. Minified: ~3 ms less to
// parse. Each render bundle carries its own copy of src/core/errors.ts, which is why cli.ts maps
// errors by name. Packages a render never needs (execa, ws, ...) load from node_modules when used.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const inlined = new Set(['commander', 'handlebars', 'zod']);
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !inlined.has(name));
const renderCommands = ['nginx', 'apache', 'haproxy'];

/**
 * In cli.js and program.js, `import('./program.js')` and `import('./commands/<name>.js')` become a
 * require of program.cjs or of a render bundle, or an import of dist/lib.
 */
const commandsAreSeparateFiles = {
  name: 'commands-are-separate-files',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/program\.js$/ }, () => ({
      path: 'program',
      namespace: 'separate-bundle',
    }));
    pluginBuild.onLoad({ filter: /^program$/, namespace: 'separate-bundle' }, () => ({
      contents: "module.exports = require('./program.cjs');",
      loader: 'js',
    }));
    pluginBuild.onResolve({ filter: /^\.\/program\.cjs$/ }, (args) => ({ path: args.path, external: true }));
    pluginBuild.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) => {
      const name = args.path.slice('./commands/'.length, -'.js'.length);
      if (name === 'lint') return { path: name, namespace: 'lint-bundle' };
      if (!renderCommands.includes(name)) return { path: `./lib/commands/${name}.js`, external: true };
      return { path: name, namespace: 'render-bundle' };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'render-bundle' }, (args) => ({
      contents: `module.exports = require('./render/${args.path}.cjs');`,
      loader: 'js',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lint-bundle' }, () => ({
      contents: "module.exports = require('./lint.cjs');",
      loader: 'js',
    }));
    pluginBuild.onResolve({ filter: /^\.\/(render\/|lint\.cjs$)/ }, (args) => ({
      path: args.path,
      external: true,
    }));
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

rmSync(join(root, 'dist', 'render'), { recursive: true, force: true });
await Promise.all([
  ...['cli', 'program'].map((name) =>
    build({
      ...common,
      entryPoints: [join(root, 'dist', 'lib', `${name}.js`)],
      outfile: join(root, 'dist', `${name}.cjs`),
      plugins: [commandsAreSeparateFiles],
    }),
  ),
  build({
    ...common,
    entryPoints: [join(root, 'dist', 'lib', 'commands', 'lint.js')],
    outfile: join(root, 'dist', 'lint.cjs'),
  }),
  ...renderCommands.map((name) =>
    build({
      ...common,
      entryPoints: [join(root, 'dist', 'lib', 'commands', `${name}.js`)],
      outfile: join(root, 'dist', 'render', `${name}.cjs`),
    }),
  ),
]);
