/**
 * The modules this sandbox knows: every module compiled into Debian's apache2 2.4.71
 * (`apache2 -l`) and every module Debian ships in /usr/lib/apache2/modules (the LoadModule lines
 * of /etc/apache2/mods-available/*.load). Each row gives the identifier LoadModule takes, the
 * source file name httpd records (what `<IfModule mod_x.c>` matches) and the shared object file.
 * Which directives a module defines comes from `directive-specs.ts`.
 */
import { DIRECTIVE_SPEC_ROWS } from './directive-specs.ts';

/** A module httpd can have: compiled in (soFile null) or loadable. */
export interface KnownModule {
  /** Identifier, e.g. "proxy_module". */
  id: string;
  /** Source file name, e.g. "mod_proxy.c" (the MPMs are "event.c", "worker.c", "prefork.c"). */
  sourceName: string;
  /** Shared object file name in Debian's module directory; null when compiled in. */
  soFile: string | null;
}

/** Debian's module directory; LoadModule paths there are the canonical ones. */
export const DEBIAN_MODULE_DIR = '/usr/lib/apache2/modules';

const MODULE_ROWS: ReadonlyArray<readonly [id: string, sourceName: string, soFile: string | null]> = [
  ['core_module', 'core.c', null],
  ['so_module', 'mod_so.c', null],
  ['watchdog_module', 'mod_watchdog.c', null],
  ['http_module', 'http_core.c', null],
  ['log_config_module', 'mod_log_config.c', null],
  ['logio_module', 'mod_logio.c', null],
  ['version_module', 'mod_version.c', null],
  ['unixd_module', 'mod_unixd.c', null],
  ['access_compat_module', 'mod_access_compat.c', 'mod_access_compat.so'],
  ['actions_module', 'mod_actions.c', 'mod_actions.so'],
  ['alias_module', 'mod_alias.c', 'mod_alias.so'],
  ['allowmethods_module', 'mod_allowmethods.c', 'mod_allowmethods.so'],
  ['asis_module', 'mod_asis.c', 'mod_asis.so'],
  ['auth_basic_module', 'mod_auth_basic.c', 'mod_auth_basic.so'],
  ['auth_digest_module', 'mod_auth_digest.c', 'mod_auth_digest.so'],
  ['auth_form_module', 'mod_auth_form.c', 'mod_auth_form.so'],
  ['authn_anon_module', 'mod_authn_anon.c', 'mod_authn_anon.so'],
  ['authn_core_module', 'mod_authn_core.c', 'mod_authn_core.so'],
  ['authn_dbd_module', 'mod_authn_dbd.c', 'mod_authn_dbd.so'],
  ['authn_dbm_module', 'mod_authn_dbm.c', 'mod_authn_dbm.so'],
  ['authn_file_module', 'mod_authn_file.c', 'mod_authn_file.so'],
  ['authn_socache_module', 'mod_authn_socache.c', 'mod_authn_socache.so'],
  ['authnz_fcgi_module', 'mod_authnz_fcgi.c', 'mod_authnz_fcgi.so'],
  ['authnz_ldap_module', 'mod_authnz_ldap.c', 'mod_authnz_ldap.so'],
  ['authz_core_module', 'mod_authz_core.c', 'mod_authz_core.so'],
  ['authz_dbd_module', 'mod_authz_dbd.c', 'mod_authz_dbd.so'],
  ['authz_dbm_module', 'mod_authz_dbm.c', 'mod_authz_dbm.so'],
  ['authz_groupfile_module', 'mod_authz_groupfile.c', 'mod_authz_groupfile.so'],
  ['authz_host_module', 'mod_authz_host.c', 'mod_authz_host.so'],
  ['authz_owner_module', 'mod_authz_owner.c', 'mod_authz_owner.so'],
  ['authz_user_module', 'mod_authz_user.c', 'mod_authz_user.so'],
  ['autoindex_module', 'mod_autoindex.c', 'mod_autoindex.so'],
  ['brotli_module', 'mod_brotli.c', 'mod_brotli.so'],
  ['buffer_module', 'mod_buffer.c', 'mod_buffer.so'],
  ['cache_disk_module', 'mod_cache_disk.c', 'mod_cache_disk.so'],
  ['cache_module', 'mod_cache.c', 'mod_cache.so'],
  ['cache_socache_module', 'mod_cache_socache.c', 'mod_cache_socache.so'],
  ['cern_meta_module', 'mod_cern_meta.c', 'mod_cern_meta.so'],
  ['cgi_module', 'mod_cgi.c', 'mod_cgi.so'],
  ['cgid_module', 'mod_cgid.c', 'mod_cgid.so'],
  ['charset_lite_module', 'mod_charset_lite.c', 'mod_charset_lite.so'],
  ['data_module', 'mod_data.c', 'mod_data.so'],
  ['dav_fs_module', 'mod_dav_fs.c', 'mod_dav_fs.so'],
  ['dav_lock_module', 'mod_dav_lock.c', 'mod_dav_lock.so'],
  ['dav_module', 'mod_dav.c', 'mod_dav.so'],
  ['dbd_module', 'mod_dbd.c', 'mod_dbd.so'],
  ['deflate_module', 'mod_deflate.c', 'mod_deflate.so'],
  ['dialup_module', 'mod_dialup.c', 'mod_dialup.so'],
  ['dir_module', 'mod_dir.c', 'mod_dir.so'],
  ['dumpio_module', 'mod_dumpio.c', 'mod_dumpio.so'],
  ['echo_module', 'mod_echo.c', 'mod_echo.so'],
  ['env_module', 'mod_env.c', 'mod_env.so'],
  ['expires_module', 'mod_expires.c', 'mod_expires.so'],
  ['ext_filter_module', 'mod_ext_filter.c', 'mod_ext_filter.so'],
  ['file_cache_module', 'mod_file_cache.c', 'mod_file_cache.so'],
  ['filter_module', 'mod_filter.c', 'mod_filter.so'],
  ['headers_module', 'mod_headers.c', 'mod_headers.so'],
  ['heartbeat_module', 'mod_heartbeat.c', 'mod_heartbeat.so'],
  ['heartmonitor_module', 'mod_heartmonitor.c', 'mod_heartmonitor.so'],
  ['http2_module', 'mod_http2.c', 'mod_http2.so'],
  ['ident_module', 'mod_ident.c', 'mod_ident.so'],
  ['imagemap_module', 'mod_imagemap.c', 'mod_imagemap.so'],
  ['include_module', 'mod_include.c', 'mod_include.so'],
  ['info_module', 'mod_info.c', 'mod_info.so'],
  ['lbmethod_bybusyness_module', 'mod_lbmethod_bybusyness.c', 'mod_lbmethod_bybusyness.so'],
  ['lbmethod_byrequests_module', 'mod_lbmethod_byrequests.c', 'mod_lbmethod_byrequests.so'],
  ['lbmethod_bytraffic_module', 'mod_lbmethod_bytraffic.c', 'mod_lbmethod_bytraffic.so'],
  ['lbmethod_heartbeat_module', 'mod_lbmethod_heartbeat.c', 'mod_lbmethod_heartbeat.so'],
  ['ldap_module', 'util_ldap.c', 'mod_ldap.so'],
  ['log_debug_module', 'mod_log_debug.c', 'mod_log_debug.so'],
  ['log_forensic_module', 'mod_log_forensic.c', 'mod_log_forensic.so'],
  ['lua_module', 'mod_lua.c', 'mod_lua.so'],
  ['macro_module', 'mod_macro.c', 'mod_macro.so'],
  ['md_module', 'mod_md.c', 'mod_md.so'],
  ['mime_magic_module', 'mod_mime_magic.c', 'mod_mime_magic.so'],
  ['mime_module', 'mod_mime.c', 'mod_mime.so'],
  ['mpm_event_module', 'event.c', 'mod_mpm_event.so'],
  ['mpm_prefork_module', 'prefork.c', 'mod_mpm_prefork.so'],
  ['mpm_worker_module', 'worker.c', 'mod_mpm_worker.so'],
  ['negotiation_module', 'mod_negotiation.c', 'mod_negotiation.so'],
  ['proxy_ajp_module', 'mod_proxy_ajp.c', 'mod_proxy_ajp.so'],
  ['proxy_balancer_module', 'mod_proxy_balancer.c', 'mod_proxy_balancer.so'],
  ['proxy_connect_module', 'mod_proxy_connect.c', 'mod_proxy_connect.so'],
  ['proxy_express_module', 'mod_proxy_express.c', 'mod_proxy_express.so'],
  ['proxy_fcgi_module', 'mod_proxy_fcgi.c', 'mod_proxy_fcgi.so'],
  ['proxy_fdpass_module', 'mod_proxy_fdpass.c', 'mod_proxy_fdpass.so'],
  ['proxy_ftp_module', 'mod_proxy_ftp.c', 'mod_proxy_ftp.so'],
  ['proxy_hcheck_module', 'mod_proxy_hcheck.c', 'mod_proxy_hcheck.so'],
  ['proxy_html_module', 'mod_proxy_html.c', 'mod_proxy_html.so'],
  ['proxy_http2_module', 'mod_proxy_http2.c', 'mod_proxy_http2.so'],
  ['proxy_http_module', 'mod_proxy_http.c', 'mod_proxy_http.so'],
  ['proxy_module', 'mod_proxy.c', 'mod_proxy.so'],
  ['proxy_scgi_module', 'mod_proxy_scgi.c', 'mod_proxy_scgi.so'],
  ['proxy_uwsgi_module', 'mod_proxy_uwsgi.c', 'mod_proxy_uwsgi.so'],
  ['proxy_wstunnel_module', 'mod_proxy_wstunnel.c', 'mod_proxy_wstunnel.so'],
  ['ratelimit_module', 'mod_ratelimit.c', 'mod_ratelimit.so'],
  ['reflector_module', 'mod_reflector.c', 'mod_reflector.so'],
  ['remoteip_module', 'mod_remoteip.c', 'mod_remoteip.so'],
  ['reqtimeout_module', 'mod_reqtimeout.c', 'mod_reqtimeout.so'],
  ['request_module', 'mod_request.c', 'mod_request.so'],
  ['rewrite_module', 'mod_rewrite.c', 'mod_rewrite.so'],
  ['sed_module', 'mod_sed.c', 'mod_sed.so'],
  ['session_cookie_module', 'mod_session_cookie.c', 'mod_session_cookie.so'],
  ['session_crypto_module', 'mod_session_crypto.c', 'mod_session_crypto.so'],
  ['session_dbd_module', 'mod_session_dbd.c', 'mod_session_dbd.so'],
  ['session_module', 'mod_session.c', 'mod_session.so'],
  ['setenvif_module', 'mod_setenvif.c', 'mod_setenvif.so'],
  ['slotmem_plain_module', 'mod_slotmem_plain.c', 'mod_slotmem_plain.so'],
  ['slotmem_shm_module', 'mod_slotmem_shm.c', 'mod_slotmem_shm.so'],
  ['socache_dbm_module', 'mod_socache_dbm.c', 'mod_socache_dbm.so'],
  ['socache_memcache_module', 'mod_socache_memcache.c', 'mod_socache_memcache.so'],
  ['socache_redis_module', 'mod_socache_redis.c', 'mod_socache_redis.so'],
  ['socache_shmcb_module', 'mod_socache_shmcb.c', 'mod_socache_shmcb.so'],
  ['speling_module', 'mod_speling.c', 'mod_speling.so'],
  ['ssl_module', 'mod_ssl.c', 'mod_ssl.so'],
  ['status_module', 'mod_status.c', 'mod_status.so'],
  ['substitute_module', 'mod_substitute.c', 'mod_substitute.so'],
  ['suexec_module', 'mod_suexec.c', 'mod_suexec.so'],
  ['unique_id_module', 'mod_unique_id.c', 'mod_unique_id.so'],
  ['userdir_module', 'mod_userdir.c', 'mod_userdir.so'],
  ['usertrack_module', 'mod_usertrack.c', 'mod_usertrack.so'],
  ['vhost_alias_module', 'mod_vhost_alias.c', 'mod_vhost_alias.so'],
  ['xml2enc_module', 'mod_xml2enc.c', 'mod_xml2enc.so'],
];

/** Every known module, compiled-in ones first (in httpd's order). */
export const KNOWN_MODULES: readonly KnownModule[] = MODULE_ROWS.map(([id, sourceName, soFile]) => ({ id, sourceName, soFile }));

const byId = new Map(KNOWN_MODULES.map((module) => [module.id, module]));
const bySourceName = new Map(KNOWN_MODULES.map((module) => [module.sourceName, module]));
const bySoFile = new Map(KNOWN_MODULES.filter((module) => module.soFile).map((module) => [module.soFile as string, module]));

/** The module LoadModule would find for this identifier, if httpd ships it. */
export function findModuleById(id: string): KnownModule | undefined {
  return byId.get(id);
}

/** The module whose source file name is `sourceName` ("mod_proxy.c"). */
export function findModuleBySourceName(sourceName: string): KnownModule | undefined {
  return bySourceName.get(sourceName);
}

/** The module shipped as this shared object file name ("mod_proxy.so"). */
export function findModuleBySoFile(soFile: string): KnownModule | undefined {
  return bySoFile.get(soFile);
}

/**
 * Shared objects that link against another module: loading one before its provider fails in
 * dlopen with the first missing symbol (measured on Debian's 2.4.71 build).
 */
const LINK_DEPENDENCIES: Readonly<Record<string, { provider: string; symbol: string }>> = {
  cache_disk_module: { provider: 'cache_module', symbol: 'ap_cache_cacheable_headers_in' },
  cache_socache_module: { provider: 'cache_module', symbol: 'ap_cache_cacheable_headers_in' },
  dav_fs_module: { provider: 'dav_module', symbol: 'dav_do_find_liveprop' },
  dav_lock_module: { provider: 'dav_module', symbol: 'dav_push_error' },
  proxy_ajp_module: { provider: 'proxy_module', symbol: 'proxy_module' },
  proxy_balancer_module: { provider: 'proxy_module', symbol: 'proxy_hcmethods' },
  proxy_connect_module: { provider: 'proxy_module', symbol: 'ap_proxy_tunnel_create' },
  proxy_express_module: { provider: 'proxy_module', symbol: 'proxy_module' },
  proxy_fcgi_module: { provider: 'proxy_module', symbol: 'proxy_module' },
  proxy_fdpass_module: { provider: 'proxy_module', symbol: 'proxy_hook_canon_handler' },
  proxy_ftp_module: { provider: 'proxy_module', symbol: 'ap_proxy_canonenc' },
  proxy_hcheck_module: { provider: 'proxy_module', symbol: 'proxy_hcmethods' },
  proxy_http2_module: { provider: 'proxy_module', symbol: 'ap_proxy_location_reverse_map' },
  proxy_http_module: { provider: 'proxy_module', symbol: 'ap_proxy_location_reverse_map' },
  proxy_scgi_module: { provider: 'proxy_module', symbol: 'proxy_hook_canon_handler' },
  proxy_uwsgi_module: { provider: 'proxy_module', symbol: 'proxy_module' },
  proxy_wstunnel_module: { provider: 'proxy_module', symbol: 'ap_proxy_pass_brigade' },
  session_cookie_module: { provider: 'session_module', symbol: 'ap_hook_session_save' },
  session_crypto_module: { provider: 'session_module', symbol: 'ap_hook_session_encode' },
  session_dbd_module: { provider: 'session_module', symbol: 'ap_hook_session_save' },
};

/** The module a shared object needs loaded first, and the symbol dlopen misses without it. */
export function linkDependencyOf(id: string): { provider: string; symbol: string } | null {
  return LINK_DEPENDENCIES[id] ?? null;
}

/** Modules compiled into Debian's binary: always present. */
export const COMPILED_IN_MODULES: readonly KnownModule[] = KNOWN_MODULES.filter((module) => module.soFile === null);

/** Names of the directives a module (by source file name) defines. */
export function directivesOfModule(sourceName: string): string[] {
  return DIRECTIVE_SPEC_ROWS.filter((row) => row[1] === sourceName).map((row) => row[0]);
}
