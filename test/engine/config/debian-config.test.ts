import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configtest, DEBIAN_ENVIRONMENT, effectiveServers } from '../../../sandbox/engine/config/index.ts';
import { debianFileSystem } from './debian-file-system.ts';

// A copy of /etc/apache2 from the Debian apache2 2.4.71 package (apache2.conf, ports.conf and the
// enabled mods, confs and sites), mounted back at /etc/apache2.
const root = join(import.meta.dirname, 'fixtures', 'debian-etc-apache2');

function collect(directory: string, files: Record<string, string>): Record<string, string> {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) collect(path, files);
    else files[`/etc/apache2/${relative(root, path)}`] = readFileSync(path, 'utf8');
  }
  return files;
}

describe("Debian's stock configuration", () => {
  const files = collect(root, {});
  const result = configtest(files['/etc/apache2/apache2.conf'], {
    file: '/etc/apache2/apache2.conf',
    fileSystem: debianFileSystem(files),
    modulePaths: 'debian',
    env: { ...DEBIAN_ENVIRONMENT },
  });

  it('passes the config test exactly as `apache2ctl configtest` does', () => {
    expect(result.stderr).toBe(
      "AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using 127.0.0.1. Set the 'ServerName' directive globally to suppress this message\nSyntax OK\n",
    );
    expect(result.diagnostics.filter((diagnostic) => diagnostic.severity !== 'info')).toEqual([]);
  });

  it('loads modules from the included .load files, not the default set', () => {
    expect(result.config?.defaultModules).toBe(false);
    expect(result.config?.modules.filter((module) => module.path !== null).map((module) => module.id)).toContain('mpm_event_module');
    expect(result.config?.includedFiles).toContain('/etc/apache2/sites-enabled/000-default.conf');
  });

  it('builds the default site as a *:80 virtual host logging to /var/log/apache2', () => {
    const config = result.config;
    if (!config) throw new Error('config expected');
    expect(config.listens.map((entry) => entry.port)).toEqual([80]);
    const [, site] = effectiveServers(config);
    expect(site.addresses).toEqual([{ host: '*', port: 80, raw: '*:80' }]);
    expect(site.errorLog.value).toBe('/var/log/apache2/error.log');
    expect(site.customLogs.map((entry) => [entry.target, entry.format])).toEqual([['/var/log/apache2/access.log', 'combined']]);
    expect(config.global.mpm).toMatchObject({ module: 'event', startServers: { value: 2 }, maxRequestWorkers: { value: 150 } });
  });
});
