// Writes src/lint/nginx-duplicate-directives.ts by asking the installed nginx which directives it
// refuses twice in one block: ngx_conf_set_*_slot and most handlers stop with `"<name>" directive is
// duplicate` when the setting is already set at that level (a child block may set it again). For each
// directive, up to two values nginx takes alone are found among the candidates below (no argument,
// `any`, `x =404`, two words, …), and `off` when it takes that; then pairs of lines are written at one
// level. A directive is once per block when every pair nginx answers is refused: the same value twice
// and two different values. Writing one value twice is not enough: proxy_redirect, proxy_cookie_*
// and mirror keep a list, and nginx 1.22.1 refuses only `off` beside another line of the same name
// (ngx_http_proxy_redirect, ngx_http_mirror): those, where every pair with `off` is refused and every
// pair without it taken, are written to a second list. Any other mixed answer is printed for a person
// to read. Blocks are tried the same way, with or without an argument (`events {}`, `limit_except GET
// {}`). Uses src/lint/nginx-directives.ts for names and contexts. Run:
// node scripts/probe-nginx-duplicates.mjs && npx biome format --write src/lint/nginx-duplicate-directives.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, contexts, directiveRows, nginxTester, pool, root, version } from './nginx-probe.mjs';

// Values a directive may take alone, most common shapes first; `off` is tried on its own.
const values = [
  'on',
  '1',
  '1s',
  '4k',
  '/tmp/wss-conf-probe',
  'http://127.0.0.1:1',
  'x',
  '127.0.0.1:1',
  'TLSv1.2',
  '1.1',
  '',
  'any',
  'all',
  'x =404',
  '/a /b',
  'a b',
  'a secure',
  '2',
  '8k',
  '/tmp/wss-conf-probe-2',
  'y',
  'http://127.0.0.1:2',
  '127.0.0.1:2',
  'TLSv1.3',
  'y =404',
  '/c /d',
  'c d',
  'b httponly',
];
const blockValues = ['', 'GET', 'POST', 'x', '/x', '/y'];
const line = (name, value) => (value === '' ? `${name};` : `${name} ${value};`);
const block = (name, value) => (value === '' ? `${name} {}` : `${name} ${value} {}`);
const { run, done } = nginxTester('wss-conf-probe-duplicates-');
try {
  const duplicates = [];
  const offBesideOthers = [];
  const mixed = [];
  /** What nginx answers to `text` alone: taken, refused as a duplicate, or refused for another reason. */
  const answer = async (wrap, text) => {
    const err = await run(wrap(text));
    return /directive is duplicate/.test(err) ? 'dup' : /\[emerg\]/.test(err) ? 'other' : 'ok';
  };
  /** Tries `name` written twice at the level `wrap` gives, with values from `candidates`. */
  const probe = async (name, wrap, candidates, write) => {
    const taken = [];
    for (const value of candidates) {
      if (taken.length === 2) break;
      if ((await answer(wrap, write(name, value))) === 'ok') taken.push(value);
    }
    const off = candidates === values && (await answer(wrap, write(name, 'off'))) === 'ok';
    const [a, b] = taken;
    if (a === undefined && !off) return;
    const pairs = [];
    if (a !== undefined) pairs.push([a, a]);
    if (b !== undefined) pairs.push([a, b], [b, a]);
    if (off) pairs.push(['off', 'off']);
    if (off && a !== undefined) pairs.push(['off', a], [a, 'off']);
    const answers = [];
    for (const [first, second] of pairs)
      answers.push([first, second, await answer(wrap, `${write(name, first)} ${write(name, second)}`)]);
    const said = (withOff) => answers.filter(([x, y]) => (x === 'off' || y === 'off') === withOff);
    if (!answers.some(([, , r]) => r === 'ok') && answers.some(([, , r]) => r === 'dup'))
      duplicates.push(name);
    else if (
      off &&
      said(true).every(([, , r]) => r === 'dup') &&
      said(false).length > 0 &&
      said(false).every(([, , r]) => r === 'ok')
    )
      offBesideOthers.push(name);
    else if (answers.some(([, , r]) => r === 'dup')) mixed.push(`${name}: ${JSON.stringify(answers)}`);
  };
  const simple = directiveRows().filter(([, , , isBlock]) => !isBlock);
  await pool(simple, async ([name, allowed]) => {
    const places = allowed.split(' ');
    const wrap = contexts[places.find((c) => contexts[c] && c !== 'main') ?? places[0]];
    if (wrap) await probe(name, wrap, values, line);
  });
  // Blocks, with an argument or without (events, http, limit_except GET, …). At the main level the
  // wrapper's own `events {}` would be the first of two, so events stands alone there.
  const blocks = directiveRows().filter(([, , , isBlock]) => isBlock);
  await pool(blocks, async ([name, allowed]) => {
    const places = allowed.split(' ');
    const level = places.find((c) => contexts[c] && c !== 'main') ?? places[0];
    const wrap = level === 'main' ? (d) => (name === 'events' ? d : `${d}\nevents {}\n`) : contexts[level];
    if (wrap) await probe(name, wrap, blockValues, block);
  });
  offBesideOthers.sort();
  for (const row of mixed.sort()) process.stderr.write(`mixed answers, left out: ${row}\n`);
  duplicates.sort();
  const out = `// Generated by scripts/probe-nginx-duplicates.mjs from nginx ${version} (${bin}); do not edit by hand.
// The directives nginx -t refuses twice in one block: \`"<name>" directive is duplicate\`.
export const nginxDuplicateTableVersion = ${JSON.stringify(version)};
export const nginxOncePerBlock: readonly string[] = [
${duplicates.map((name) => `  ${JSON.stringify(name)},`).join('\n')}
];
// Lists nginx adds a line to each time, except that \`off\` beside another line of the same name (before
// or after it) is \`"<name>" directive is duplicate\`.
export const nginxOffBesideOthers: readonly string[] = [
${offBesideOthers.map((name) => `  ${JSON.stringify(name)},`).join('\n')}
];
`;
  const target = join(root, 'src', 'lint', 'nginx-duplicate-directives.ts');
  writeFileSync(target, out);
  process.stderr.write(
    `${duplicates.length} directives refuse a second, ${offBesideOthers.length} refuse off beside others → ${target}\n`,
  );
} finally {
  done();
}
