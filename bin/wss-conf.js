#!/usr/bin/env node
// CommonJS (see bin/package.json): Node 20 starts a CommonJS entry ~5 ms faster than an ES module,
// which matters for a command meant to start within 1.5x of `node -e 0` (npm run bench:startup).
require('../dist/cli.cjs');
