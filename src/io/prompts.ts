/**
 * `wss-conf nginx|apache` on a terminal: ask for the generation options that are missing.
 *
 * When: only if a required option (today --domain and --backend; the schema says which) is still missing
 * after the flags and --config are merged, and only if a person is there to answer:
 *   - stdin and stderr are both terminals. The prompts are written to stderr, so
 *     `wss-conf nginx > site.conf` still asks, while `< /dev/null`, `2> log` or a pipe never do;
 *   - --json is not given: whoever asked for JSON is a program;
 *   - CI is unset, empty or "false": CI runners can give a job a pseudo-terminal, and a prompt there
 *     hangs the job until it times out.
 * Anywhere else nothing is asked, and the schema reports every missing flag at once (exit 2). Nothing is
 * asked either when a given value is already bad: that error comes first, with the missing flags.
 *
 * What: domain, backend, path, certificate and key (showing the certbot defaults), the static files
 * directory (optional) and, with one, its URL prefix; only the ones not given. Each answer is checked by
 * parsing everything known so far with the schema itself (parseGenerationOptions), and a bad answer is
 * asked again with the schema's message, the same text the flag would get.
 *
 * @inquirer/prompts loads only when a prompt is shown: a plain render must start fast (bench/startup.mjs).
 */

import { isUsageError, UsageError } from '../core/errors.js';
import {
  flagOf,
  type GenerationOptions,
  generationOptionsSchema,
  parseGenerationOptions,
} from '../core/options.js';
import { siteOptions } from '../core/site-options.js';

type Input = Record<string, unknown>;
type SchemaKey = keyof typeof generationOptionsSchema.shape;

const fieldSchemas = generationOptionsSchema.shape as Record<
  string,
  { safeParse: (value: unknown) => { success: boolean } }
>;

/** The keys the schema refuses to leave out (it has neither a default nor `optional` for them). */
const missingRequiredOptions = (input: Input): string[] =>
  Object.keys(fieldSchemas).filter(
    (key) => input[key] === undefined && !fieldSchemas[key]?.safeParse(undefined).success,
  );

/** The rule of the header comment: may a prompt be shown at all? */
export function mayPrompt(
  flags: { readonly json?: boolean },
  env: NodeJS.ProcessEnv = process.env,
  stdin: { isTTY?: boolean } = process.stdin,
  stderr: { isTTY?: boolean } = process.stderr,
): boolean {
  const inCi = (env.CI ?? '') !== '' && env.CI !== 'false';
  return Boolean(stdin.isTTY) && Boolean(stderr.isTTY) && !flags.json && !inCi;
}

interface Question {
  readonly key: SchemaKey;
  readonly message: string;
  /** Several values, separated by spaces or commas (no allowed value contains either). */
  readonly list?: boolean;
  /** An empty answer means "none". */
  readonly optional?: boolean;
  /** The value the schema would use, shown and taken on Enter. */
  readonly shownDefault?: (defaults: GenerationOptions | undefined) => string | undefined;
  /** Asked only when this holds for what is known so far. */
  readonly askedWhen?: (known: Input) => boolean;
}

/** The questions, in order; each one's words are its option's prompt in src/core/site-options.ts. */
const questions: readonly Question[] = [
  { key: 'domain', message: siteOptions.domain.prompt, list: true },
  { key: 'backend', message: siteOptions.backend.prompt, list: true },
  { key: 'path', message: siteOptions.path.prompt, shownDefault: (d) => d?.path },
  { key: 'cert', message: siteOptions.cert.prompt, shownDefault: (d) => d?.cert },
  { key: 'key', message: siteOptions.key.prompt, shownDefault: (d) => d?.key },
  { key: 'staticDir', message: siteOptions.staticDir.prompt, optional: true },
  {
    key: 'staticPath',
    message: siteOptions.staticPath.prompt,
    shownDefault: (d) => d?.static?.path,
    askedWhen: (known) => known.staticDir !== undefined,
  },
  { key: 'trustedProxy', message: siteOptions.trustedProxy.prompt, list: true, optional: true },
];

/** The schema's problems with `input`, one `--option …` line each; none when it parses. */
function problemsWith(input: Input): string[] {
  try {
    parseGenerationOptions(input);
    return [];
  } catch (error) {
    if (isUsageError(error)) return error.message.split('\n');
    throw error;
  }
}

const flagOfProblem = (line: string): string | undefined => /^--[a-z-]+/.exec(line)?.[0];

/**
 * What the schema makes of the required options and, with one, the static directory: the certbot
 * paths of the first domain, `/` and `/static/`. Undefined until domain and backend are usable.
 */
function schemaDefaults(known: Input): GenerationOptions | undefined {
  const { domain, backend, staticDir } = known;
  try {
    return parseGenerationOptions(
      staticDir === undefined ? { domain, backend } : { domain, backend, staticDir },
    );
  } catch {
    return undefined;
  }
}

const toValue = (question: Question, answer: string): unknown => {
  const text = answer.trim();
  // An empty answer to an optional list is "none", as if the flag were not given.
  if (question.list && question.optional && text === '') return undefined;
  if (question.list) return text.split(/[\s,]+/).filter((part) => part !== '');
  if (question.optional && text === '') return undefined;
  return text;
};

const withValue = (input: Input, key: string, value: unknown): Input => {
  const next = { ...input };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
};

/**
 * Asks, on stderr, for every option of `questions` that `input` lacks, when a required one is missing
 * and `mayPrompt` allows it; otherwise returns `input` as it is, for the schema to report.
 */
export async function askForMissingOptions(input: Input, flags: { readonly json?: boolean }): Promise<Input> {
  // The terminal test first: it is all a plain render (never on a terminal in scripts) pays for.
  if (!mayPrompt(flags)) return input;
  const missing = missingRequiredOptions(input);
  if (missing.length === 0) return input;
  const givenAreValid = Object.entries(input).every(
    ([key, value]) => fieldSchemas[key]?.safeParse(value).success ?? true,
  );
  if (!givenAreValid) return input;

  const { input: prompt } = await import('@inquirer/prompts');
  /** Flags this session may ask for: those not given. */
  const askable = new Set(questions.filter((q) => input[q.key] === undefined).map((q) => flagOf(q.key)));
  const asked = new Set<string>();
  let known = input;

  /** Asks one question until the schema accepts the answer together with everything known. */
  const ask = async (question: Question): Promise<void> => {
    const flag = flagOf(question.key);
    asked.add(flag);
    const without = withValue(known, question.key, undefined);
    const problemsBefore = new Set(problemsWith(without));
    const validate = (answer: string): string | true => {
      const problems = problemsWith(withValue(without, question.key, toValue(question, answer)));
      // This option's own problems, and those its answer brings to an option nobody will ask for
      // (--static-path, given as a flag, hiding the path just typed). Problems of another option that
      // is asked for are that prompt's business.
      const relevant = problems.filter((line) => {
        const named = flagOfProblem(line);
        return named === flag || (!askable.has(named ?? '') && !problemsBefore.has(line));
      });
      return relevant.length === 0 ? true : relevant.join('\n');
    };
    try {
      const answer = await prompt(
        { message: question.message, default: question.shownDefault?.(schemaDefaults(known)), validate },
        { output: process.stderr },
      );
      known = withValue(without, question.key, toValue(question, answer));
    } catch (error) {
      // Ctrl+C or a closed terminal: like a missing flag, bad input; nothing has been written.
      if ((error as Error)?.name === 'ExitPromptError') {
        throw new UsageError(`${flag}: no answer (the prompt was closed); nothing written`);
      }
      throw error;
    }
  };

  /** Asks again for an asked option the schema still objects to, given everything answered since. */
  const settle = async (): Promise<void> => {
    for (;;) {
      const problems = problemsWith(known);
      const question = questions.find(
        (q) => asked.has(flagOf(q.key)) && problems.some((line) => flagOfProblem(line) === flagOf(q.key)),
      );
      if (!question) return;
      const shown = problems.filter((line) => flagOfProblem(line) === flagOf(question.key));
      process.stderr.write(`${shown.join('\n')}\n`);
      await ask(question);
    }
  };

  process.stderr.write(
    `${missing.map(flagOf).join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing; ` +
      'answer below, or press Ctrl+C and give them as flags.\n',
  );
  for (const question of questions) {
    if (known[question.key] !== undefined || question.askedWhen?.(known) === false) continue;
    await ask(question);
    // The certbot defaults need a usable domain: a name typed twice is caught before they are shown.
    if (question.key === 'backend') await settle();
  }
  await settle();
  return withCertbotDefaultsUnset(known, input);
}

/**
 * Accepting both certbot paths is the same as not giving --cert and --key, so the file (and the
 * command line it records) is the one the flags without them give.
 */
function withCertbotDefaultsUnset(known: Input, given: Input): Input {
  if (given.cert !== undefined || given.key !== undefined) return known;
  const defaults = schemaDefaults(known);
  if (known.cert !== defaults?.cert || known.key !== defaults?.key) return known;
  const { cert: _cert, key: _key, ...rest } = known;
  return rest;
}
