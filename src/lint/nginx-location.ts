/**
 * A `location`'s arguments as ngx_http_core_location reads them, shared by the directive check (nesting,
 * duplicates) and the model: `location [=|~|~*|^~] uri`, `location @name`, and the modifier glued on
 * (`=/x`, `^~/x`, `~*\.php$`), which nginx reads the same way.
 */
export type LocationModifier = '' | '=' | '~' | '~*' | '^~' | '@';

export interface LocationName {
  readonly modifier: LocationModifier;
  /** The path; for a regex location the regex itself, for a named one `@name`. */
  readonly name: string;
}

export function locationName(args: readonly string[]): LocationName {
  const [first = '', second] = args;
  if (second !== undefined && (first === '=' || first === '~' || first === '~*' || first === '^~')) {
    return { modifier: first, name: second };
  }
  if (first.startsWith('=')) return { modifier: '=', name: first.slice(1) };
  if (first.startsWith('^~')) return { modifier: '^~', name: first.slice(2) };
  if (first.startsWith('~*')) return { modifier: '~*', name: first.slice(2) };
  if (first.startsWith('~')) return { modifier: '~', name: first.slice(1) };
  if (first.startsWith('@')) return { modifier: '@', name: first };
  return { modifier: '', name: first };
}
