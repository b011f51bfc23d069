/** The first 400 lines that are neither blank nor a `#` comment, trimmed: what detection scores read. */
export function configLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    lines.push(line);
    if (lines.length >= 400) break;
  }
  return lines;
}
