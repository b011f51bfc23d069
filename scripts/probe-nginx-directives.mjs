// Writes src/lint/nginx-directives.ts by asking the installed nginx itself, the way `nginx -t` will
// judge a config: for every word in the binary that could be a directive name, whether nginx knows it
// ("unknown directive"), in which contexts it is allowed ("is not allowed here"), whether it opens a
// block ("has no opening {" / "is not terminated by ;") and which argument counts it takes ("invalid
// number of arguments"). These are the checks ngx_conf_handler makes before a directive's own handler
// runs. Run on a machine with Debian's nginx: node scripts/probe-nginx-directives.mjs (a few minutes).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, contexts, directiveRows, nginxTester, pool, root, version } from './nginx-probe.mjs';

// Candidate names. Every directive is an ngx_command_t whose name is an ngx_str_t { len, data }: in
// a position-independent binary (Debian's), `data` is filled in at load time by an R_X86_64_RELATIVE
// relocation whose addend is the string's address, and `len` sits in the 8 bytes before it. Reading
// those pairs finds every name, including one the compiler stored as the tail of a longer string
// (ip_hash inside gzip_hash), which scanning `strings` for words cannot find. Variable names and
// other ngx_str_t's come along; the probe below drops them ("unknown directive").
const relocationNames = () => {
  const image = readFileSync(bin);
  const names = new Set();
  const relocations = execFileSync('readelf', ['-r', '-W', bin], { encoding: 'utf8', maxBuffer: 1 << 26 });
  for (const line of relocations.split('\n')) {
    const [offset, , type, addend] = line.trim().split(/\s+/);
    if (type !== 'R_X86_64_RELATIVE' || offset === undefined || addend === undefined) continue;
    // The first three LOAD segments of Debian's nginx map file offsets to the same addresses, and
    // the RW one too (readelf -l), so an address is a file offset here.
    const at = Number.parseInt(offset, 16);
    const data = Number.parseInt(addend, 16);
    if (at < 8 || at > image.length || data >= image.length) continue;
    const length = Number(image.readBigUInt64LE(at - 8));
    if (length < 1 || length > 64) continue;
    const name = image.subarray(data, data + length).toString('latin1');
    if (/^[a-z][a-z0-9_]*$/.test(name)) names.add(name);
  }
  return names;
};
// Without readelf (or on another architecture), the words `strings` finds. The compiler stores a
// name that is the tail of a longer string only once ("root" inside "$document_root"), so every tail
// after a non-letter or "_" is a candidate too; a tail after a letter (ip_hash) is missed.
const stringWords = () => {
  const words = new Set();
  const text = execFileSync('strings', ['-n', '2', bin], { encoding: 'utf8', maxBuffer: 1 << 26 });
  for (const line of text.split('\n')) {
    for (const match of line.matchAll(/(?<![a-z0-9])[a-z][a-z0-9_]*/g)) {
      const word = match[0];
      for (let k = 0; k < word.length; k++) {
        if (k === 0 || word[k - 1] === '_') words.add(word.slice(k));
      }
    }
  }
  return words;
};
let words;
try {
  words = relocationNames();
} catch {
  words = new Set();
}
// Fewer than the ~530 directives of a stock build: not the layout this reads; fall back.
if (words.size < 500) words = stringWords();
// WSS_CONF_PROBE_KNOWN=<table.ts>: reuse the rows of an earlier run and probe only the other words.
const earlier = process.env.WSS_CONF_PROBE_KNOWN ? directiveRows(process.env.WSS_CONF_PROBE_KNOWN) : [];
const earlierNames = new Set(earlier.map((row) => row[0]));
const names = [...words].filter((word) => !earlierNames.has(word)).sort();

const { run, done } = nginxTester('wss-conf-probe-');

try {
  const known = [];
  await pool(names, async (name) => {
    if (!/unknown directive/.test(await run(contexts.http(`${name} x;`)))) known.push(name);
  });
  const rows = earlier.filter((row) => row[0] !== 'server');
  await pool(known, async (name) => {
    const allowed = [];
    for (const [context, wrap] of Object.entries(contexts)) {
      const err = await run(wrap(`${name} x;`));
      if (!/unknown directive|is not allowed here/.test(err)) allowed.push(context);
    }
    if (allowed.length === 0) return;
    const wrap = contexts[allowed[0]];
    let block = false;
    const counts = [];
    for (let n = 0; n <= 8; n++) {
      const args = Array.from({ length: n }, (_, k) => `a${k}`).join(' ');
      let err = await run(wrap(`${name} ${args};`));
      if (/has no opening "\{"/.test(err)) block = true;
      if (block) err = await run(wrap(`${name} ${args} { }`));
      if (!/invalid number of arguments/.test(err)) counts.push(n);
    }
    const from = (k) => counts.length === 9 - k && counts[0] === k;
    const args = from(0) ? 'any' : from(1) ? '1+' : from(2) ? '2+' : counts.filter((c) => c <= 7).join(',');
    rows.push([name, allowed.join(' '), args, block]);
  });
  // `server` is two commands: a block in http (ngx_http_core_module), a list in upstream.
  const rest = rows.filter((row) => row[0] !== 'server');
  rest.push(['server', 'http', '0', true], ['server', 'upstream', '1+', false]);
  rest.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out = `// Generated by scripts/probe-nginx-directives.mjs from nginx ${version} (${bin}); do not edit by hand.
// Each row: name, the contexts nginx -t allows it in, the argument counts it takes ("1,2", "1+",
// "any"), whether it opens a block. A name with two commands (server) has a row for each.
export const nginxDirectiveTableVersion = ${JSON.stringify(version)};
export const nginxDirectiveRows: readonly (readonly [string, string, string, boolean])[] = [
${rest.map((row) => `  ${JSON.stringify(row)},`).join('\n')}
];
`;
  const target = join(root, 'src', 'lint', 'nginx-directives.ts');
  writeFileSync(target, out);
  process.stderr.write(`${rest.length} directives of ${names.length} words → ${target}\n`);
} finally {
  done();
}
