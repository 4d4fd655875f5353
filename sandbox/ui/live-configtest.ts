/**
 * The live configtest, in the page: the engine's `apache2 -t` on the same virtual Debian install
 * the runtime uses (sandbox/runtime/virtual-files.ts: apache2.conf including the learner's
 * sites-enabled/000-default.conf), printed as apachectl prints it, so what the learner sees while
 * typing is what Run prints. Pure.
 */
import type { ConfigDiagnostic } from '../engine/config/diagnostics.ts';
import { configtest, DEBIAN_ENVIRONMENT } from '../engine/config/index.ts';
import { createVirtualFileSystem, DEBIAN_TOP_LEVEL_CONFIG, LEARNER_CONFIG_FILE, TOP_LEVEL_CONFIG_FILE } from '../runtime/virtual-files.ts';

/** What Debian's apache2ctl adds after a failed `apache2 -t` (as sandbox/runtime/proxy-host.ts prints it). */
const APACHECTL_FAILURE = "Action 'configtest' failed.\nThe Apache error log may have more information.\n";

export function liveConfigtest(text: string): { output: string; exitCode: number; diagnostics: ConfigDiagnostic[] } {
  const noCertificates = { cert: '', key: '', caCert: '' };
  const result = configtest(DEBIAN_TOP_LEVEL_CONFIG, {
    file: TOP_LEVEL_CONFIG_FILE,
    env: { ...DEBIAN_ENVIRONMENT },
    fileSystem: createVirtualFileSystem(text, () => noCertificates),
  });
  return {
    output: result.exitCode === 0 ? result.stderr : `${result.stderr}${APACHECTL_FAILURE}`,
    exitCode: result.exitCode,
    // The runtime shows the same selection (proxy-host.ts): the learner's file, and errors anywhere.
    diagnostics: result.diagnostics.filter((diagnostic) => diagnostic.file === LEARNER_CONFIG_FILE || diagnostic.severity === 'error'),
  };
}
