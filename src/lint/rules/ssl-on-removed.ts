import { nginxSince, nginxSupports } from '../../core/versions.js';
import type { Rule } from '../rule.js';

/**
 * `ssl on;` was deprecated in nginx 1.15.0 and removed in 1.25.1 (nginx CHANGES; `sslDirectiveRemoved`
 * in src/core/versions.ts): newer nginx refuses to start. Where it still works, it turns TLS on for
 * every listen of the server, port 80 included. `listen … ssl` says it per port.
 */
export const sslOnRemoved: Rule = {
  id: 'ssl-on-removed',
  severity: 'error',
  servers: ['nginx'],
  why: '`ssl on;` is gone from nginx 1.25.1 (deprecated since 1.15.0); use `listen … ssl` instead.',
  fix: 'delete it and add ssl to the TLS listen line: listen 443 ssl;',
  docs: 'https://nginx.org/en/docs/http/configuring_https_servers.html',
  check(model, report) {
    const version = model.settings.serverVersion;
    const removedIn = nginxSince.sslDirectiveRemoved;
    for (const { node, block } of model.nginx?.directives('ssl') ?? []) {
      let message: string;
      if (version === undefined) {
        message = `"ssl ${node.args.join(' ')}" was removed in nginx ${removedIn} (deprecated since 1.15.0): newer nginx refuses to start`;
      } else if (nginxSupports(version, 'sslDirectiveRemoved')) {
        message = `nginx ${version} has no "ssl" directive (removed in ${removedIn}) and refuses to start`;
      } else {
        message = `"ssl on" is deprecated since nginx 1.15.0 and removed in ${removedIn}; it also turns TLS on for every listen of the server, port 80 included`;
      }
      // The fix names the server's own listen line when there is one: `listen 8888;` → `listen 8888 ssl;`.
      const listen = block.kind === 'server' ? block.own.get('listen')?.[0] : undefined;
      const fix = !listen
        ? sslOnRemoved.fix
        : listen.args.includes('ssl')
          ? `delete it: "listen ${listen.args.join(' ')}" already turns TLS on`
          : `delete it and add ssl to the listen line: listen ${[...listen.args, 'ssl'].join(' ')};`;
      report(node, message, { fix });
    }
  },
};
