// Bundles the tsc output (dist/lib) into dist/cli.js, the file bin/wss-conf.js imports. Loading one
// file instead of ~150 modules of zod, commander and handlebars is what keeps `wss-conf nginx` within
// 1.5x of a bare `node -e 0` (see bench/startup.mjs). One file, not split into chunks: every extra
// file costs a resolve and a compile. Packages a render never needs (execa, ws, ...) stay external and
// load from node_modules only when a command imports them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Only what every render needs is inlined; the rest load from node_modules when used.
const inlined = new Set(['commander', 'handlebars', 'zod', 'chalk']);
const external = Object.keys(pkg.dependencies ?? {}).filter((name) => !inlined.has(name));

// Only the render path (`nginx`, `apache`) is bundled. Every other command is imported from the tsc
// output in dist/lib when it runs, so the code of lint, probe, apply... never slows a render down.
const renderCommands = new Set(['nginx', 'apache', 'render-site']);
const otherCommandsStayExternal = {
  name: 'other-commands-stay-external',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) => {
      const name = args.path.slice('./commands/'.length, -'.js'.length);
      return renderCommands.has(name) ? undefined : { path: `./lib/commands/${name}.js`, external: true };
    });
  },
};

await build({
  entryPoints: [join(root, 'dist', 'lib', 'cli.js')],
  outfile: join(root, 'dist', 'cli.cjs'),
  bundle: true,
  // CommonJS, because Node 20 starts an ES module entry ~5 ms slower than a CommonJS one.
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [otherCommandsStayExternal],
  // Not minified: it would not load measurably faster, and stack traces in bug reports stay readable.
  legalComments: 'none',
  logLevel: 'warning',
});
