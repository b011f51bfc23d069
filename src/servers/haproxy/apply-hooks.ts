/**
 * apply's steps that differ for HAProxy: one whole haproxy.cfg, no sites-enabled, a master-worker
 * instance to reload, and certbot's two files joined into the one PEM HAProxy reads (bundle.ts).
 */
import type { ApplyHooks } from '../definition.js';
import {
  haproxyApplyFlags,
  planHaproxyApply,
  readBundleBefore,
  restoreBundle,
  writeCertificateBundle,
} from './bundle.js';
import { masterWorkerProblem } from './control.js';

export const haproxyApplyHooks: ApplyHooks = {
  flags: haproxyApplyFlags,
  plan: planHaproxyApply,
  preflight: masterWorkerProblem,
  writeBundle: async (bundle) => {
    const before = await readBundleBefore(bundle.path);
    const detail = await writeCertificateBundle(bundle);
    return { detail, undo: () => restoreBundle(before) };
  },
};
