/**
 * The parts of the capture machine's file system that the captured `apache2 -t` outputs depend
 * on, as a ConfigFileSystem: a stock Debian apache2 install plus the fixture directory. Keeping it
 * virtual makes the expectations reproducible anywhere.
 */
import type { ConfigFileSystem } from '../../../sandbox/engine/config/index.ts';

const DIRECTORIES = [
  '/',
  '/etc',
  '/etc/apache2',
  '/tmp',
  '/tmp/wslab-fixtures',
  '/usr',
  '/usr/lib',
  '/usr/lib/apache2',
  '/usr/lib/apache2/modules',
  '/var',
  '/var/log',
  '/var/log/apache2',
  '/var/run',
  '/var/run/apache2',
  '/var/lock',
  '/var/lock/apache2',
  '/var/www',
  '/var/www/html',
];

/** A Debian-like file system with optional extra files (path -> text). */
export function debianFileSystem(files: Record<string, string> = {}): ConfigFileSystem {
  const allFiles: Record<string, string> = {
    '/etc/mime.types': 'text/plain txt\n',
    // User and Group names are looked up here, as getpwnam/getgrnam do.
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n',
    '/etc/group': 'root:x:0:\nwww-data:x:33:\n',
    ...files,
  };
  const directories = new Set(DIRECTORIES);
  for (const path of Object.keys(allFiles)) {
    for (let index = path.lastIndexOf('/'); index > 0; index = path.lastIndexOf('/', index - 1)) directories.add(path.slice(0, index));
  }
  return {
    readFile: (path) => allFiles[path] ?? null,
    listDirectory(path) {
      const directory = path.length > 1 ? path.replace(/\/+$/, '') : path;
      if (!directories.has(directory)) return null;
      const prefix = directory === '/' ? '/' : `${directory}/`;
      const children = new Set<string>();
      for (const candidate of [...directories, ...Object.keys(allFiles)]) {
        if (candidate !== directory && candidate.startsWith(prefix)) children.add(candidate.slice(prefix.length).split('/')[0]);
      }
      return [...children];
    },
  };
}

/** Replace the time stamp and pid of error-log-formatted lines, which differ on every run. */
export function normalizeLogPrefixes(text: string): string {
  return text.replace(/^\[[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}\.\d{6} \d{4}\] \[([^\]]*)\] \[pid \d+:tid \d+\] /gm, '[TIME] [$1] [pid PID:tid PID] ');
}

/** Options that reproduce the capture machine's `apache2 -t -f /tmp/wslab-fixtures/<name>.conf`. */
export function captureOptions(name: string) {
  return {
    file: `/tmp/wslab-fixtures/${name}.conf`,
    fileSystem: debianFileSystem(),
    modulePaths: 'debian' as const,
    env: { APACHE_LOG_DIR: '/var/log/apache2' },
    resolvableHosts: ['localhost', 'vm', 'runsc'],
  };
}
