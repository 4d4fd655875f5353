/**
 * Plain-language headlines for what Apache answered, in the page's language. The engine's own
 * explanation (English, precise) is shown beside it; this line is the one a learner reads first.
 * Pure, no DOM.
 */
import type { Locale } from './i18n.ts';

export interface ExplainInput {
  status: number;
  /** The client asked for a WebSocket upgrade. */
  wantedUpgrade: boolean;
  /** AH codes in this connection's error-log lines. */
  errorCodes: string[];
  /** Location header of a redirect. */
  location?: string;
}

type Phrase = { en: string; ja: string };

const AH_PHRASES: Record<string, Phrase> = {
  AH00957: { en: 'the backend refused the connection', ja: 'バックエンドが接続を拒否しました' },
  AH01114: { en: 'Apache could not connect to the backend', ja: 'Apache がバックエンドに接続できませんでした' },
  AH00940: { en: 'the backend is marked as failed and Apache is not retrying it yet (retry=)', ja: 'バックエンドは失敗扱いで、retry= の間は再試行されません' },
  AH00959: { en: 'the backend is in its error state; Apache waits for retry= before trying again', ja: 'バックエンドがエラー状態のため、retry= の時間が過ぎるまで再試行しません' },
  AH01102: { en: 'the backend sent a response Apache could not read', ja: 'バックエンドの応答を Apache が読めませんでした' },
  AH00898: { en: 'Apache could not parse what the backend sent', ja: 'バックエンドからの応答を解析できませんでした' },
  AH01144: { en: 'no backend URL could be built for this request', ja: 'このリクエストのバックエンド URL を組み立てられませんでした' },
  AH01797: { en: 'a Require rule denied the client', ja: 'Require の規則がクライアントを拒否しました' },
  AH01630: { en: 'a Require rule denied the client', ja: 'Require の規則がクライアントを拒否しました' },
  AH00124: { en: 'a RewriteRule looped too many times', ja: 'RewriteRule が何度もループしました' },
  AH01071: { en: 'the backend closed the connection while Apache was reading', ja: '応答の読み取り中にバックエンドが接続を閉じました' },
};

const STATUS_PHRASES: Record<number, Phrase> = {
  101: { en: 'the upgrade went through: Apache now relays WebSocket frames both ways', ja: 'アップグレード成功。以降 Apache は WebSocket フレームを双方向に中継します' },
  200: { en: 'a backend answered the request', ja: 'バックエンドが応答しました' },
  204: { en: 'a backend answered with no content', ja: 'バックエンドが本文なしで応答しました' },
  301: { en: 'a redirect: the client is told to go elsewhere', ja: 'リダイレクト: 別の URL へ行くよう指示されました' },
  302: { en: 'a redirect: the client is told to go elsewhere', ja: 'リダイレクト: 別の URL へ行くよう指示されました' },
  307: { en: 'a redirect that keeps the method', ja: 'メソッドを保ったリダイレクト' },
  308: { en: 'a permanent redirect that keeps the method', ja: 'メソッドを保った恒久リダイレクト' },
  400: { en: 'Apache rejected the request as malformed', ja: 'Apache がリクエストを不正な形式として拒否しました' },
  403: { en: 'access was denied (a Require rule or a blocked path)', ja: 'アクセスが拒否されました（Require の規則など）' },
  404: { en: 'no ProxyPass matched, so Apache looked for a file and found none', ja: 'どの ProxyPass にもマッチせず、Apache はファイルを探しましたが見つかりませんでした' },
  405: { en: 'the method is not allowed here', ja: 'このメソッドはここでは許可されていません' },
  414: { en: 'the URL is too long', ja: 'URL が長すぎます' },
  426: { en: 'the backend wants a WebSocket upgrade that did not arrive', ja: 'バックエンドは WebSocket へのアップグレードを求めていますが、届きませんでした' },
  500: { en: 'Apache failed internally (often a rewrite or proxy setting)', ja: 'Apache 内部のエラーです（書き換えやプロキシ設定が原因のことが多い）' },
  502: { en: 'the backend answered with something Apache could not use', ja: 'バックエンドの応答を Apache が使えませんでした' },
  503: { en: 'no backend was available', ja: '利用できるバックエンドがありませんでした' },
  504: { en: 'the backend did not answer in time', ja: 'バックエンドが時間内に応答しませんでした' },
};

/** "503: the backend refused the connection (AH00957)". */
export function explainStatus(input: ExplainInput, locale: Locale): string {
  const code = input.errorCodes.find((candidate) => AH_PHRASES[candidate]);
  if (code && input.status >= 400) return `${input.status}: ${AH_PHRASES[code][locale]} (${code})`;
  if (input.wantedUpgrade && input.status !== 101 && input.status >= 200 && input.status < 300) {
    return locale === 'ja'
      ? `${input.status}: アップグレードされませんでした。リクエストは通常の HTTP としてバックエンドに届いています（どの ProxyPass がマッチしたか、そのスキームや upgrade= を確認しましょう）`
      : `${input.status}: no upgrade happened; the request reached a backend as plain HTTP (check which ProxyPass matched, and its scheme or upgrade=)`;
  }
  const phrase = STATUS_PHRASES[input.status] ?? statusFamily(input.status);
  const location = input.location && input.status >= 300 && input.status < 400 ? ` → ${input.location}` : '';
  return `${input.status}: ${phrase[locale]}${location}${code ? ` (${code})` : ''}`;
}

function statusFamily(status: number): Phrase {
  if (status < 200) return { en: 'an interim response', ja: '途中経過の応答' };
  if (status < 300) return { en: 'success', ja: '成功' };
  if (status < 400) return { en: 'a redirect', ja: 'リダイレクト' };
  if (status < 500) return { en: 'the request was refused', ja: 'リクエストは拒否されました' };
  return { en: 'a server-side failure', ja: 'サーバー側の失敗' };
}

/** AH codes in error-log lines ("AH00957: ..."). */
export function ahCodes(lines: readonly string[]): string[] {
  const codes: string[] = [];
  for (const line of lines) for (const match of line.matchAll(/\bAH\d{5}\b/g)) if (!codes.includes(match[0])) codes.push(match[0]);
  return codes;
}

/** WebSocket close codes (RFC 6455 section 7.4.1), for the frame table. */
export const CLOSE_CODES: Record<number, Phrase> = {
  1000: { en: 'normal closure', ja: '正常終了' },
  1001: { en: 'going away', ja: '離脱' },
  1002: { en: 'protocol error', ja: 'プロトコルエラー' },
  1003: { en: 'unsupported data', ja: '非対応のデータ' },
  1005: { en: 'no status received', ja: 'ステータスなし' },
  1006: { en: 'abnormal closure (no close frame)', ja: '異常終了（close フレームなし）' },
  1007: { en: 'invalid payload data', ja: '不正なペイロード' },
  1008: { en: 'policy violation', ja: 'ポリシー違反' },
  1009: { en: 'message too big', ja: 'メッセージが大きすぎる' },
  1010: { en: 'mandatory extension', ja: '必須の拡張がない' },
  1011: { en: 'internal error', ja: '内部エラー' },
  1015: { en: 'TLS handshake failure', ja: 'TLS ハンドシェイク失敗' },
};

export function closeCodeName(code: number, locale: Locale): string {
  const phrase = CLOSE_CODES[code];
  if (phrase) return phrase[locale];
  if (code >= 3000 && code < 4000) return locale === 'ja' ? '登録済みの用途' : 'registered use';
  if (code >= 4000 && code < 5000) return locale === 'ja' ? 'アプリケーション定義' : 'application-defined';
  return locale === 'ja' ? '不明' : 'unknown';
}
