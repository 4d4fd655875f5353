/**
 * The key=value parameters of ProxyPass, ProxyPassMatch, BalancerMember and ProxySet, as the
 * httpd 2.4 manual lists them (mod_proxy, "ProxyPass" worker and balancer parameters), for
 * completion and hover. The engine validates them (engine/config/handlers/proxy-workers.ts); this
 * table only explains them. Pure data.
 */

export interface ProxyParameter {
  key: string;
  /** "worker": any backend URL; "balancer": only for balancer:// URLs. */
  scope: 'worker' | 'balancer';
  /** Values worth offering after "key=". */
  values?: string[];
  /** What to insert after "=" when nothing better is known (a snippet placeholder). */
  example?: string;
  description: { en: string; ja: string };
}

const MANUAL = 'https://httpd.apache.org/docs/2.4/mod/mod_proxy.html#proxypass';
export const PROXY_PARAMETERS_MANUAL_URL = MANUAL;

export const PROXY_PARAMETERS: ProxyParameter[] = [
  { key: 'upgrade', scope: 'worker', values: ['websocket', 'ANY', 'NONE'], description: { en: 'Protocol to accept in an Upgrade request and tunnel (mod_proxy_http; default websocket for http:// since 2.4.47). With ws:// URLs mod_proxy_wstunnel handles the upgrade.', ja: 'Upgrade リクエストで受け付けてトンネルするプロトコル（mod_proxy_http。2.4.47 以降 http:// の既定は websocket）。ws:// の URL では mod_proxy_wstunnel がアップグレードを扱います。' } },
  { key: 'timeout', scope: 'worker', example: '60', description: { en: 'Seconds to wait for data from the backend (default: ProxyTimeout, else Timeout). For a WebSocket tunnel it is the idle timeout.', ja: 'バックエンドからのデータを待つ秒数（既定は ProxyTimeout、なければ Timeout）。WebSocket のトンネルではアイドルタイムアウトになります。' } },
  { key: 'connectiontimeout', scope: 'worker', example: '5', description: { en: 'Seconds (or e.g. 500ms) to wait for the TCP connection to the backend to be established.', ja: 'バックエンドへの TCP 接続が確立するまで待つ時間（秒、または 500ms のような指定）。' } },
  { key: 'retry', scope: 'worker', example: '0', description: { en: 'Seconds a backend stays in the error state after a failure before Apache tries it again (default 60; 0 retries at once).', ja: '失敗したバックエンドを再試行するまでエラー状態にしておく秒数（既定 60。0 ならすぐ再試行）。' } },
  { key: 'keepalive', scope: 'worker', values: ['On', 'Off'], description: { en: 'Send TCP keepalive probes on backend connections (useful through firewalls that drop idle connections).', ja: 'バックエンドとの接続で TCP キープアライブを送る（アイドル接続を切るファイアウォール越しに有効）。' } },
  { key: 'ping', scope: 'worker', example: '1', description: { en: 'Check the backend connection before sending the request (100-Continue for HTTP, CPING for AJP), waiting this long for the answer.', ja: 'リクエスト送信前にバックエンドとの接続を確認する（HTTP は 100-Continue、AJP は CPING）。その応答を待つ時間。' } },
  { key: 'ttl', scope: 'worker', example: '60', description: { en: 'Seconds an idle backend connection is kept in the pool before it is closed.', ja: 'アイドルなバックエンド接続をプールに残しておく秒数。' } },
  { key: 'min', scope: 'worker', example: '0', description: { en: 'Connections kept open to the backend at minimum (per child process).', ja: 'バックエンドへ常に開いておく最小接続数（子プロセスごと）。' } },
  { key: 'max', scope: 'worker', example: '25', description: { en: 'Most connections to the backend (per child process; default ThreadsPerChild).', ja: 'バックエンドへの最大接続数（子プロセスごと。既定は ThreadsPerChild）。' } },
  { key: 'smax', scope: 'worker', example: '25', description: { en: 'Soft maximum: pooled connections above it are closed when idle longer than ttl.', ja: 'ソフト上限。これを超えるプール接続は ttl を過ぎると閉じられます。' } },
  { key: 'acquire', scope: 'worker', example: '1000', description: { en: 'Milliseconds to wait for a free pooled connection before answering 503.', ja: 'プールの空き接続を待つミリ秒数。超えると 503。' } },
  { key: 'disablereuse', scope: 'worker', values: ['On', 'Off'], description: { en: 'Close the backend connection after each request instead of pooling it.', ja: 'バックエンド接続をプールせず、リクエストごとに閉じる。' } },
  { key: 'enablereuse', scope: 'worker', values: ['On', 'Off'], description: { en: 'The opposite of disablereuse (for fcgi:// and others where reuse is off by default).', ja: 'disablereuse の逆（fcgi:// など、既定で再利用しないもの向け）。' } },
  { key: 'flushpackets', scope: 'worker', values: ['on', 'off', 'auto'], description: { en: 'Flush data to the client immediately (on), never (off), or when the backend pauses (auto).', ja: 'クライアントへのデータを即座に送る（on）、送らない（off）、バックエンドが止まったら送る（auto）。' } },
  { key: 'flushwait', scope: 'worker', example: '10', description: { en: 'Milliseconds to wait for more data before flushing, with flushpackets=auto.', ja: 'flushpackets=auto のとき、送出前にさらにデータを待つミリ秒数。' } },
  { key: 'iobuffersize', scope: 'worker', example: '8192', description: { en: 'Size of the internal buffer for backend data (bytes, at least 512).', ja: 'バックエンドのデータ用内部バッファの大きさ（バイト、512 以上）。' } },
  { key: 'receivebuffersize', scope: 'worker', example: '0', description: { en: 'TCP receive buffer for backend connections (bytes; 0 = system default).', ja: 'バックエンド接続の TCP 受信バッファ（バイト。0 はシステム既定）。' } },
  { key: 'responsefieldsize', scope: 'worker', example: '8192', description: { en: 'Largest response header line accepted from the backend (bytes).', ja: 'バックエンドから受け付ける応答ヘッダー行の最大長（バイト）。' } },
  { key: 'addressttl', scope: 'worker', example: '-1', description: { en: 'Seconds the backend’s resolved address is cached (-1: forever).', ja: 'バックエンドの名前解決結果をキャッシュする秒数（-1 は無期限）。' } },
  { key: 'loadfactor', scope: 'worker', example: '1', description: { en: 'BalancerMember weight: how much work this member gets relative to the others (1-100).', ja: 'BalancerMember の重み。ほかのメンバーと比べてどれだけ仕事を受けるか（1〜100）。' } },
  { key: 'lbset', scope: 'worker', example: '0', description: { en: 'BalancerMember set (0-99): members of a higher set are used only when every lower set is down.', ja: 'BalancerMember のセット（0〜99）。番号の小さいセットが全滅したときだけ上のセットを使います。' } },
  { key: 'route', scope: 'worker', example: 'node1', description: { en: 'Route name of a BalancerMember, appended to the session id for sticky sessions.', ja: 'BalancerMember のルート名。スティッキーセッション用にセッション ID に付加されます。' } },
  { key: 'redirect', scope: 'worker', example: 'node2', description: { en: 'Route of the member to send new requests to when this one is being drained.', ja: 'このメンバーを切り離す間、新しいリクエストを送るメンバーのルート。' } },
  { key: 'status', scope: 'worker', values: ['+H', '+D', '+S', '+I', '+E', '+N', '-D'], description: { en: 'Initial member status: +H hot standby, +D disabled, +S stopped, +I ignore errors, +E in error, +N draining.', ja: 'メンバーの初期状態。+H ホットスタンバイ、+D 無効、+S 停止、+I エラー無視、+E エラー中、+N 切り離し中。' } },
  { key: 'secret', scope: 'worker', example: 'value', description: { en: 'AJP secret shared with the backend (ajp:// only).', ja: 'バックエンドと共有する AJP のシークレット（ajp:// のみ）。' } },
  { key: 'flusher', scope: 'worker', example: 'flush', description: { en: 'Name of the flush provider (mod_proxy_fdpass).', ja: 'フラッシュプロバイダーの名前（mod_proxy_fdpass）。' } },
  { key: 'lbmethod', scope: 'balancer', values: ['byrequests', 'bytraffic', 'bybusyness', 'heartbeat'], description: { en: 'How the balancer picks a member; each method needs its mod_lbmethod_* module (without one, Apache refuses to start: AH02432).', ja: 'バランサーがメンバーを選ぶ方法。方法ごとに mod_lbmethod_* が必要です（ないと起動できません: AH02432）。' } },
  { key: 'stickysession', scope: 'balancer', example: 'JSESSIONID|jsessionid', description: { en: 'Cookie or URL parameter whose route suffix pins a client to one member.', ja: 'クライアントを 1 つのメンバーに固定するための、ルートを含む Cookie または URL パラメータ名。' } },
  { key: 'stickysessionsep', scope: 'balancer', example: '.', description: { en: 'Separator between the session id and the route (default ".").', ja: 'セッション ID とルートの区切り文字（既定は "."）。' } },
  { key: 'scolonpathdelim', scope: 'balancer', values: ['On', 'Off'], description: { en: 'Also look for the sticky session in ";name=value" path parameters.', ja: 'パス中の ";name=value" からもスティッキーセッションを探す。' } },
  { key: 'nofailover', scope: 'balancer', values: ['On', 'Off'], description: { en: 'Do not move a sticky session to another member when its member fails.', ja: 'スティッキーセッションのメンバーが落ちても別のメンバーへ移さない。' } },
  { key: 'maxattempts', scope: 'balancer', example: '1', description: { en: 'Failover attempts before giving up (default: members - 1).', ja: '諦めるまでのフェイルオーバー試行回数（既定はメンバー数 - 1）。' } },
  { key: 'failonstatus', scope: 'balancer', example: '503', description: { en: 'Backend status codes that put a member into the error state.', ja: 'メンバーをエラー状態にするバックエンドのステータスコード。' } },
  { key: 'failontimeout', scope: 'balancer', values: ['On', 'Off'], description: { en: 'Put a member into the error state when reading from it times out.', ja: '読み取りがタイムアウトしたメンバーをエラー状態にする。' } },
  { key: 'nonce', scope: 'balancer', example: 'None', description: { en: 'Nonce for the balancer-manager page (None disables the check).', ja: 'balancer-manager ページ用のノンス（None で無効）。' } },
  { key: 'growth', scope: 'balancer', example: '1', description: { en: 'Spare member slots for adding members at run time from balancer-manager.', ja: 'balancer-manager から実行中にメンバーを足すための予備枠。' } },
  { key: 'forcerecovery', scope: 'balancer', values: ['On', 'Off'], description: { en: 'Retry every member at once when all are in error, ignoring retry=.', ja: '全メンバーがエラーのとき retry= を無視して全員をすぐ再試行する。' } },
];

/** Directives whose arguments take these parameters, and from which argument on. */
export const PARAMETER_DIRECTIVES: Record<string, { firstParameterArgument: number }> = {
  proxypass: { firstParameterArgument: 3 },
  proxypassmatch: { firstParameterArgument: 3 },
  balancermember: { firstParameterArgument: 2 },
  proxyset: { firstParameterArgument: 2 },
};

export function findProxyParameter(key: string): ProxyParameter | undefined {
  const wanted = key.toLowerCase();
  return PROXY_PARAMETERS.find((parameter) => parameter.key === wanted);
}
