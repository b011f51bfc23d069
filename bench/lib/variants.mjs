// Config choices worth measuring before they become template defaults. Each variant is the site file
// wss-conf renders, changed by a text edit here (the templates stay as they are), and names the
// measurements that can show a difference. An edit whose pattern is missing stops the bench: the
// template changed and this file must follow, rather than silently measuring the default twice.

const replaceLine = (pattern, replacement) => (text, variant) => {
  if (!pattern.test(text)) {
    throw new Error(
      `variant ${variant}: the rendered site has no line matching ${pattern}; the template changed, update bench/lib/variants.mjs`,
    );
  }
  return text.replace(pattern, replacement);
};

/**
 * Sets an nginx directive of the server block: replaces its line when the rendered site has one, or
 * adds it after ssl_session_timeout. The tool writes `ssl_session_tickets off;` only below nginx 1.23.2
 * (from then on nginx rotates ticket keys itself), so on a newer nginx the line is absent and the
 * default (on) applies: a variant must say what it wants either way.
 */
const setDirective = (name, value) => (text, variant) => {
  const line = new RegExp(`^(\\s*)${name} [^;\\n]*;$`, 'm');
  if (line.test(text)) return text.replace(line, `$1${name} ${value};`);
  return replaceLine(/^(\s*)(ssl_session_timeout [^\n]*)$/m, `$1$2\n$1${name} ${value};`)(text, variant);
};

export const variants = [
  {
    key: 'nginx-rsa',
    server: 'nginx',
    label: 'nginx, RSA 2048 certificate',
    baseline: 'nginx',
    certificate: 'rsa',
    measures: ['full'],
  },
  {
    key: 'nginx-ssl-buffer-4k',
    server: 'nginx',
    label: 'nginx, ssl_buffer_size 4k',
    baseline: 'nginx',
    // nginx's default is 16k (ngx_http_ssl_module); the smaller buffer is the usual latency advice
    edits: [replaceLine(/^(\s*)(ssl_session_timeout [^\n]*)$/m, '$1$2\n$1ssl_buffer_size 4k;')],
    measures: ['echo1', 'echo100', 'echo1Large'],
  },
  {
    key: 'nginx-tickets',
    server: 'nginx',
    label: 'nginx, session cache and tickets',
    baseline: 'nginx',
    edits: [setDirective('ssl_session_tickets', 'on')],
    measures: ['resumed'],
  },
  {
    key: 'nginx-tickets-only',
    server: 'nginx',
    label: 'nginx, tickets, no session cache',
    baseline: 'nginx',
    edits: [
      setDirective('ssl_session_tickets', 'on'),
      replaceLine(/ssl_session_cache shared:[^;]+;/, 'ssl_session_cache off;'),
    ],
    measures: ['resumed'],
  },
  {
    key: 'nginx-no-resumption',
    server: 'nginx',
    label: 'nginx, no session cache, no tickets',
    baseline: 'nginx',
    edits: [
      setDirective('ssl_session_tickets', 'off'),
      replaceLine(/ssl_session_cache shared:[^;]+;/, 'ssl_session_cache off;'),
    ],
    measures: ['resumed'],
  },
  {
    key: 'apache-rsa',
    server: 'apache',
    label: 'Apache, RSA 2048 certificate',
    baseline: 'apache',
    certificate: 'rsa',
    measures: ['full'],
  },
  {
    key: 'apache-tickets',
    server: 'apache',
    label: 'Apache, session cache and tickets',
    baseline: 'apache',
    edits: [replaceLine(/SSLSessionTickets off/, 'SSLSessionTickets on')],
    measures: ['resumed'],
  },
];

export function applyEdits(variant, text) {
  return (variant.edits ?? []).reduce((current, edit) => edit(current, variant.key), text);
}
