/** apply's checklist as a terminal sees it: "…" lines replaced by results, and never left open. */
import { describe, expect, it } from 'vitest';
import { Checklist } from '../../src/commands/apply.js';

const recorder = () => {
  const written: string[] = [];
  return { written, live: (text: string) => written.push(text) };
};

describe('Checklist', () => {
  it('replaces the "…" line of a step with its result, and has nothing left to print at the end', () => {
    const { written, live } = recorder();
    const checklist = new Checklist(live);
    checklist.begin('test', 'the whole nginx configuration');
    checklist.record('test', true, 'nginx -t -q: ok');
    expect(written).toEqual([
      '… test     the whole nginx configuration',
      '\r\u001b[2K✔ test     nginx -t -q: ok\n',
    ]);
    expect(checklist.report(false, true, '/etc/nginx/sites-available/a.conf')).toBe('');
  });

  it('ends a "…" line that gets no result, so an error starts on a line of its own', () => {
    const { written, live } = recorder();
    const checklist = new Checklist(live);
    checklist.begin('reload', 'nginx');
    checklist.interrupt();
    expect(written).toEqual(['… reload   nginx', '\n']);
    checklist.interrupt();
    expect(written).toHaveLength(2); // once only
  });

  it('after a result there is nothing to end', () => {
    const { written, live } = recorder();
    const checklist = new Checklist(live);
    checklist.begin('lock', '/x.lock');
    checklist.record('lock', true, '/x.lock');
    checklist.interrupt();
    expect(written).toHaveLength(2);
  });

  it('off a terminal nothing is written as it happens, and the report is the whole checklist', () => {
    const checklist = new Checklist(undefined);
    checklist.begin('test', 'the whole nginx configuration');
    checklist.record('test', false, 'nginx: [emerg] unknown directive "foo"');
    checklist.interrupt();
    expect(checklist.report(false, false, '/t.conf')).toBe(
      '✖ test     nginx: [emerg] unknown directive "foo"\n',
    );
  });
});
