/**
 * Whether a config file reads like Apache's: lines are `Directive args` or `<Section …>` with no
 * terminator (httpd docs, "Configuration Files", "Syntax of the Configuration Files"). The directives
 * are those a site or an MPM file holds.
 */
import { configLines } from '../config-lines.js';

export const apacheLine =
  /^(<\/?[A-Za-z][\w:.-]*(\s|>|$)|(ProxyPass|ProxyPassMatch|ProxyPassReverse|ProxyRequests|ProxyPreserveHost|SSL[A-Z]\w*|ServerName|ServerAlias|ServerAdmin|DocumentRoot|LoadModule|RewriteEngine|RewriteRule|RewriteCond|Header|RequestHeader|Include|IncludeOptional|Listen|ErrorLog|CustomLog|Redirect|Require|StartServers|MinSpareThreads|MaxSpareThreads|ThreadLimit|ThreadsPerChild|MaxRequestWorkers|ServerLimit|MaxConnectionsPerChild)(\s|$))/;

export const apacheScore = (text: string): number =>
  configLines(text).filter((line) => apacheLine.test(line)).length;

/**
 * Whether the text holds a site: a `<VirtualHost …>` section. Apache's comments are whole lines, and
 * its section names are case-insensitive (httpd 2.4 documentation, "Configuration Files", "Syntax of
 * the Configuration Files").
 */
export function hasApacheVirtualHost(text: string): boolean {
  return /^\s*<VirtualHost[\s>]/im.test(text);
}
