/** Reading the markdown wss-conf prints (--runbook): the lines of its ```sh blocks, in order. */
export const shellLines = (markdown: string): string[] =>
  [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => (m[1] as string).trim().split('\n'));
