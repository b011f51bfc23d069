// Bundles the tsc output (dist/lib) for a fast start; `wss-conf nginx` must start within 1.5x of a bare
// `node -e 0` (npm run bench:startup). Loading a few files instead of ~150 modules of zod, commander and
// handlebars is what makes that possible.
//
//   dist/cli.cjs            the entry (src/cli.ts): the fast path of a plain render, exit codes
//   dist/program.cjs        commander wiring (src/program.ts): help, flag errors, every other command
//   dist/render/<name>.cjs  `wss-conf <name>` for each server of src/servers/registry.ts: schema, its
//                           target (src/servers/<name>/command.ts), template, zod, handlebars runtime
//   dist/lint.cjs           `wss-conf lint`: a CI step run on every push, timed against `nginx -t`
//                           (npm run bench:lint); loading its ~60 modules one by one as ES modules
//                           cost more than linting a small config
//   dist/lib/**             every other command (lint, probe, apply...), loaded from the tsc output
//
// The rule: in cli.cjs and program.cjs every `import()` of a project file is another file (the
// program, a server's render bundle, or dist/lib), never inlined; and a server's definition
// (src/servers/<name>/index.ts) is bundled with its data only, its loaders left to dist/lib.
//
// CommonJS, because Node 20 starts a CommonJS entry ~5 ms faster than an ES module, and `require` (not
// `import()`) between the files, which would start the ES module loader. Minified: ~3 ms less to
// parse. Each render bundle carries its own copy of src/core/errors.ts, which is why cli.ts maps
// errors by name. Packages a render never needs (execa, ws, ...) load from node_modules when used.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const inlined = new Set(['commander', 'handlebars', 'zod']);
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !inlined.has(name));
const lib = join(root, 'dist', 'lib');
// The render commands are the servers of the registry, read from the tsc output this bundles.
const { servers } = await import(pathToFileURL(join(lib, 'servers', 'registry.js')).href);
const renderCommands = servers.map((server) => server.name);

/** `dist/lib/servers/nginx/index.js` → `servers/nginx/index.js`. */
const libPath = (resolveDir, path) => relative(lib, resolve(resolveDir, path)).split(sep).join('/');
const isDefinition = (importer) =>
  /^servers\/[a-z0-9-]+\/index\.js$/.test(relative(lib, importer).split(sep).join('/'));

/**
 * In a render bundle (and lint's), a definition's loaders (control, target, …) and lint's own modules
 * stay in dist/lib: a render needs none of them to start. `toLib` is the way from the bundle's folder to dist/lib.
 */
const definitionLoadersStayOut = (toLib) => ({
  name: 'definition-loaders-stay-out',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const path = libPath(args.resolveDir, args.path);
      // lint's parser, which `--check` loads when it runs (io/nginx.ts confinedWrites), stays out too.
      if (!isDefinition(args.importer) && !path.startsWith('lint/')) return undefined;
      return { path: `${toLib}/${path}`, external: true };
    });
  },
});

/**
 * In cli.js and program.js, every `import()` of a project file becomes a require of program.cjs or of
 * a server's render bundle (src/servers/<name>/command.js), or an import of dist/lib.
 */
const commandsAreSeparateFiles = {
  name: 'commands-are-separate-files',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/(program|lint)\.cjs$/ }, (args) => ({
      path: args.path,
      external: true,
    }));
    pluginBuild.onResolve({ filter: /^\.\/render\// }, (args) => ({ path: args.path, external: true }));
    pluginBuild.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const path = libPath(args.resolveDir, args.path);
      if (path === 'program.js') return { path: 'program', namespace: 'separate-bundle' };
      if (path === 'commands/lint.js') return { path: 'lint', namespace: 'separate-bundle' };
      const server = /^servers\/([a-z0-9-]+)\/command\.js$/.exec(path)?.[1];
      if (server !== undefined && renderCommands.includes(server)) {
        return { path: server, namespace: 'render-bundle' };
      }
      return { path: `./lib/${path}`, external: true };
    });
    pluginBuild.onLoad({ filter: /^program$/, namespace: 'separate-bundle' }, () => ({
      contents: "module.exports = require('./program.cjs');",
      loader: 'js',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'render-bundle' }, (args) => ({
      contents: `module.exports = require('./render/${args.path}.cjs');`,
      loader: 'js',
    }));
    pluginBuild.onLoad({ filter: /^lint$/, namespace: 'separate-bundle' }, () => ({
      contents: "module.exports = require('./lint.cjs');",
      loader: 'js',
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
    plugins: [definitionLoadersStayOut('./lib')],
  }),
  ...renderCommands.map((name) =>
    build({
      ...common,
      entryPoints: [join(lib, 'servers', name, 'command.js')],
      outfile: join(root, 'dist', 'render', `${name}.cjs`),
      plugins: [definitionLoadersStayOut('../lib')],
    }),
  ),
]);
