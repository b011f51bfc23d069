/**
 * The fixed choices of the generation options, apart from the zod schema that checks them, so the
 * command line can describe them without loading zod (see src/site-flags.ts).
 */
import type { TlsProfileName } from './tls.js';

export const balanceMethods = ['least-conn', 'ip-hash', 'round-robin'] as const;
export type BalanceMethod = (typeof balanceMethods)[number];
export const tlsProfileNames = ['intermediate', 'modern'] as const satisfies readonly TlsProfileName[];
