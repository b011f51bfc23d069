/**
 * Which server a config file is for, from its content, when --server is not given. Apache lines are
 * `Directive args` or `<Section …>` with no terminator; nginx lines end in `;`, `{` or `}`. The file is
 * for the server more of its first lines look like. Used by lint, check and rollback alike.
 */

const apacheLine =
  /^(<\/?[A-Za-z][\w:.-]*(\s|>|$)|(ProxyPass|ProxyPassMatch|ProxyPassReverse|ProxyRequests|ProxyPreserveHost|SSL[A-Z]\w*|ServerName|ServerAlias|ServerAdmin|DocumentRoot|LoadModule|RewriteEngine|RewriteRule|RewriteCond|Header|RequestHeader|Include|IncludeOptional|Listen|ErrorLog|CustomLog|Redirect|Require|StartServers|MinSpareThreads|MaxSpareThreads|ThreadLimit|ThreadsPerChild|MaxRequestWorkers|ServerLimit|MaxConnectionsPerChild)(\s|$))/;
const nginxLine = /[;{}]\s*(#.*)?$/;

export function detectServer(text: string): 'nginx' | 'apache' {
  let apache = 0;
  let nginx = 0;
  let seen = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (apacheLine.test(line)) apache++;
    else if (nginxLine.test(line)) nginx++;
    if (++seen >= 400) break;
  }
  return apache > nginx ? 'apache' : 'nginx';
}
