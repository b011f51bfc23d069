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
    edits: [replaceLine(/ssl_session_tickets off;/, 'ssl_session_tickets on;')],
    measures: ['resumed'],
  },
  {
    key: 'nginx-tickets-only',
    server: 'nginx',
    label: 'nginx, tickets, no session cache',
    baseline: 'nginx',
    edits: [
      replaceLine(/ssl_session_tickets off;/, 'ssl_session_tickets on;'),
      replaceLine(/ssl_session_cache shared:[^;]+;/, 'ssl_session_cache off;'),
    ],
    measures: ['resumed'],
  },
  {
    key: 'nginx-no-resumption',
    server: 'nginx',
    label: 'nginx, no session cache, no tickets',
    baseline: 'nginx',
    edits: [replaceLine(/ssl_session_cache shared:[^;]+;/, 'ssl_session_cache off;')],
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
