import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificates, writeTestCertificates } from '../../../sandbox/server/tls/certificates.ts';
import type { TestCertificates } from '../../../sandbox/server/tls/certificates.ts';
import { APACHE_BINARY, APACHE_MODULES, freePort, hasRealApache, startThrowawayHttpd } from '../../engine/http/throwaway-httpd.ts';

/**
 * Open a TLS connection that trusts only `ca` and report whether the server's certificate verified
 * for `name` (a DNS name sent as SNI, or an IP address checked against the IP SANs).
 */
function connectTrusting(port: number, ca: string, name: string): Promise<{ authorized: boolean; error: string | null }> {
  const isIp = /^[\d.]+$/.test(name);
  return new Promise((resolve) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, ca, rejectUnauthorized: false, ...(isIp ? {} : { servername: name }) },
      () => {
        // Node checks the chain and the host name itself and reports both through authorizationError.
        resolve({ authorized: socket.authorized, error: socket.authorizationError?.toString() ?? null });
        socket.destroy();
      },
    );
    socket.on('error', (error) => resolve({ authorized: false, error: error.message }));
  });
}

describe('createTestCertificates', () => {
  let certificates: TestCertificates;
  let server: tls.Server;
  let port: number;

  beforeAll(async () => {
    certificates = createTestCertificates({ hostnames: ['localhost'], ips: ['127.0.0.1'] });
    server = tls.createServer({ cert: certificates.cert, key: certificates.key }, (socket) => socket.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('returns PEM certificates and PKCS#8 keys', () => {
    expect(certificates.caCert).toMatch(/^-----BEGIN CERTIFICATE-----\r?\n/);
    expect(certificates.cert).toMatch(/^-----BEGIN CERTIFICATE-----\r?\n/);
    expect(certificates.caKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(certificates.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('issues a leaf for the requested DNS name and IP, signed by the CA, for server auth', () => {
    const ca = new X509Certificate(certificates.caCert);
    const leaf = new X509Certificate(certificates.cert);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(leaf.checkPrivateKey(createPrivateKey(certificates.key))).toBe(true);
  });

  it('is accepted by a client that trusts only the test CA, by name and by IP', async () => {
    expect(await connectTrusting(port, certificates.caCert, 'localhost')).toEqual({ authorized: true, error: null });
    expect(await connectTrusting(port, certificates.caCert, '127.0.0.1')).toEqual({ authorized: true, error: null });
  });

  it('is refused for a name it was not issued for', async () => {
    expect(await connectTrusting(port, certificates.caCert, 'example.com')).toEqual({
      authorized: false,
      error: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('is refused by a client that trusts a different CA', async () => {
    const other = createTestCertificates();
    const result = await connectTrusting(port, other.caCert, 'localhost');
    expect(result).toEqual({ authorized: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('gives every call a fresh CA and serial number', () => {
    const other = createTestCertificates();
    expect(new X509Certificate(other.caCert).serialNumber).not.toBe(new X509Certificate(certificates.caCert).serialNumber);
    expect(other.caKey).not.toBe(certificates.caKey);
  });
});

describe('writeTestCertificates', () => {
  it('writes ca.pem, ca-key.pem, cert.pem and key.pem with private keys readable by the owner only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wslab-certs-'));
    try {
      const written = await writeTestCertificates(join(dir, 'nested'));
      expect(await readFile(written.certFile, 'utf8')).toBe(written.cert);
      expect(await readFile(written.caCertFile, 'utf8')).toBe(written.caCert);
      expect(await readFile(written.keyFile, 'utf8')).toBe(written.key);
      expect((await stat(written.keyFile)).mode & 0o777).toBe(0o600);
      expect((await stat(written.caKeyFile)).mode & 0o777).toBe(0o600);
      expect(written.certFile).toBe(join(dir, 'nested', 'cert.pem'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasRealApache)('real apache2 with the test certificates', () => {
  it('passes the config test with SSLCertificateFile / SSLCertificateKeyFile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wslab-certs-'));
    try {
      const written = await writeTestCertificates(dir);
      const configFile = join(dir, 'httpd.conf');
      await writeFile(
        configFile,
        [
          `ServerRoot ${dir}`,
          `LoadModule mpm_event_module ${APACHE_MODULES}/mod_mpm_event.so`,
          `LoadModule authz_core_module ${APACHE_MODULES}/mod_authz_core.so`,
          `LoadModule socache_shmcb_module ${APACHE_MODULES}/mod_socache_shmcb.so`,
          `LoadModule ssl_module ${APACHE_MODULES}/mod_ssl.so`,
          `Listen 127.0.0.1:${await freePort()} https`,
          'ServerName localhost',
          `PidFile ${dir}/httpd.pid`,
          `ErrorLog ${dir}/error.log`,
          'SSLEngine on',
          `SSLCertificateFile ${written.certFile}`,
          `SSLCertificateKeyFile ${written.keyFile}`,
          '',
        ].join('\n'),
      );
      const { stdout, stderr } = await promisify(execFile)(APACHE_BINARY, ['-t', '-f', configFile]);
      expect(`${stdout}${stderr}`.trim()).toBe('Syntax OK');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('serves TLS with them, verified by a client that trusts only the test CA', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wslab-certs-'));
    const written = await writeTestCertificates(dir);
    const httpd = await startThrowawayHttpd({
      modules: ['socache_shmcb', 'ssl'],
      extraConfig: `SSLEngine on\nSSLCertificateFile ${written.certFile}\nSSLCertificateKeyFile ${written.keyFile}`,
    });
    try {
      expect(await connectTrusting(httpd.port, written.caCert, 'localhost')).toEqual({ authorized: true, error: null });
    } finally {
      await httpd.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
