/**
 * The pre-flight page (/{locale}/preflight/): every string it shows, per locale, and its address.
 * Kept apart from ui.ts so the page can grow without touching the site chrome's strings; the
 * `PreflightStrings` type makes a missing Japanese string a type error here too.
 *
 * Strings may quote code in `backticks` (rendered as <code>). Result templates are filled in the
 * browser with fillTemplate() from template.ts: `{name}` placeholders, no markup.
 */
import type { Locale } from './ui.ts';

/** The page's address for a locale: link here from sandbox failure messages. */
export function preflightHref(locale: Locale): string {
  // Vite sets BASE_URL; in plain Node (a test importing this file) there is no import.meta.env.
  const base = (import.meta as ImportMeta & { env?: { BASE_URL?: string } }).env?.BASE_URL ?? '/';
  return `${base.endsWith('/') ? base : `${base}/`}${locale}/preflight/`;
}

/** Path of the page below a locale, for callers that build their own URLs. */
export const PREFLIGHT_PATH_SEGMENT = 'preflight/';

/**
 * The local runtime's session endpoint, as `wslab serve` answers it (GET: `{ "available": true }`).
 * Must equal LOCAL_SESSION_PATH in sandbox/runtime/browser/local-connection.ts (a test checks);
 * copied rather than imported so the page does not depend on the runtime's module layout.
 */
export const LOCAL_SESSION_PATH = '/__wslab/session';

/**
 * Path prefixes whose files carry a content hash, which the site caches for a year (cacheControlFor
 * in sandbox/server/site-server.ts; a test checks the two agree). Shown on the page.
 */
export const HASHED_PATHS = ['/_astro/', '/monaco/', '/pagefind/fragment/'] as const;

/** The checks, in the order the page shows them. */
export const PREFLIGHT_CHECKS = [
  'secure-context',
  'headers',
  'isolation',
  'shared-array-buffer',
  'webassembly',
  'service-worker',
  'storage',
  'browser',
  'local-runtime',
] as const;
export type PreflightCheckId = (typeof PREFLIGHT_CHECKS)[number];

export type PreflightState = 'pass' | 'warn' | 'fail' | 'info';

/** A fix: paragraphs (strings) and bullet lists (arrays of strings), in order. */
export type FixText = (string | string[])[];

export interface PreflightCheckText {
  name: string;
  /** What the check looks at and why the sandbox needs it; shown with or without JavaScript. */
  what: string;
  fix: FixText;
  /** Result templates the browser fills in, keyed by outcome. */
  results: Record<string, string>;
}

export interface PreflightStrings {
  title: string;
  description: string;
  intro: string[];
  noScript: string;
  rerun: string;
  summaryHeading: string;
  checksHeading: string;
  headersHeading: string;
  headersIntro: string;
  /** Under the Cache-Control lines: which paths get which value. */
  cacheScope: { hashed: string; other: string };
  /** Why each header is sent, by header name. */
  headerWhy: Record<string, string>;
  fixHeading: string;
  status: Record<PreflightState | 'pending' | 'notRun', string>;
  summary: {
    checking: string;
    webContainer: string;
    webContainerAndLocal: string;
    webContainerWarnings: string;
    localOnly: string;
    none: string;
  };
  checks: Record<PreflightCheckId, PreflightCheckText>;
}

const en: PreflightStrings = {
  title: 'Pre-flight check',
  description: 'Can the sandbox run in this browser, on this server? Each check says what is wrong and how to fix it.',
  intro: [
    'The sandbox runs in one of two ways. In the browser, WebContainer runs Node.js inside this tab; that needs a cross-origin isolated page (two response headers), SharedArrayBuffer, WebAssembly, service workers and storage for a frame from StackBlitz, and internet access when it starts. On your own computer, `npm start` runs `wslab serve`, and the sandbox runs as a Node process beside the site, with none of those requirements and no internet access.',
    'This page checks each requirement in your browser and says how to fix what fails: which header, which host configuration file in `site/deploy/`, or which browser setting.',
  ],
  noScript:
    'JavaScript is off, so nothing has been checked. With JavaScript on, this page runs the checks below in your browser; each one lists what it looks at and how to fix it.',
  rerun: 'Run the checks again',
  summaryHeading: 'Result',
  checksHeading: 'The checks',
  headersHeading: 'What the server must send',
  headersIntro:
    'Every response of the site carries these headers. `wslab serve` sends them itself; for other hosts, `site/deploy/` has a configuration that sends exactly these (a test keeps them in step).',
  cacheScope: { hashed: 'for {paths}', other: 'for everything else' },
  headerWhy: {
    'Cross-Origin-Opener-Policy': 'Puts the page in its own browsing context group, so no window from another site can reach it. One of the two headers cross-origin isolation needs.',
    'Cross-Origin-Embedder-Policy': 'The page may only load resources that agree to it (same origin, or CORP/CORS). The other header isolation needs.',
    'Cross-Origin-Resource-Policy': 'Says the site’s own files may only be embedded by the same origin, so isolated pages elsewhere cannot pull them in.',
    'X-Content-Type-Options': 'Browsers use the declared type instead of guessing, so a script is only run when it is served as JavaScript.',
    'Referrer-Policy': 'Links out of the tutorial do not tell other sites which page you were on.',
    'Cache-Control': 'Files under `/_astro/` (and `/monaco/`, `/pagefind/fragment/`) have a content hash in their name and are cached for a year; everything else is revalidated on each visit, so a new deployment shows at once.',
  },
  fixHeading: 'How to fix',
  status: {
    pass: 'Pass',
    warn: 'Warning',
    fail: 'Fail',
    info: 'Info',
    pending: 'Checking…',
    notRun: 'Not checked (needs JavaScript)',
  },
  summary: {
    checking: 'Checking…',
    webContainer: 'The sandbox can run in this browser (WebContainer). It needs internet access to stackblitz.com when it starts.',
    webContainerAndLocal:
      'The sandbox can run in this browser (WebContainer), and this server also runs it locally (wslab serve), so it works without internet access too.',
    webContainerWarnings:
      'The sandbox should be able to run in this browser (WebContainer), but {count} checks have warnings. If it stops while starting, look at those first.',
    localOnly: 'WebContainer cannot run here, but this server runs the sandbox itself (wslab serve), so the sandbox works.',
    none: 'The sandbox cannot run here. Fix the first failed check below, or run the tutorial on your own computer with `npm start`.',
  },
  checks: {
    'secure-context': {
      name: 'Secure context',
      what: 'Is this page a secure context: https://, or http:// on localhost or 127.0.0.1? Browsers ignore the isolation headers and withhold service workers everywhere else.',
      fix: [
        'Serve the site over HTTPS. The nginx and Apache configurations in `site/deploy/` take a certificate like any other site (listen 443 ssl / SSLEngine on). Netlify, Cloudflare Pages and Vercel use HTTPS already.',
        'For a workshop on a local network without certificates, have each participant run the tutorial on their own computer (`npm start`, then http://127.0.0.1:4321/), which counts as secure.',
      ],
      results: {
        pass: '{origin} is a secure context.',
        fail: '{origin} is not a secure context, so the browser ignores the isolation headers here.',
      },
    },
    headers: {
      name: 'Isolation headers on this page',
      what: 'Asks the server for this page again and reads `Cross-Origin-Opener-Policy`, `Cross-Origin-Embedder-Policy` and `Cross-Origin-Resource-Policy` in the response.',
      fix: [
        'Send the headers listed under “What the server must send” with every response. Use the file for your host:',
        [
          'Netlify and Cloudflare Pages: `dist/_headers`, which the build copies from `site/public/_headers`. Publish the whole `dist` folder.',
          'Vercel: copy `site/deploy/vercel.json` to the root of the repository.',
          'nginx: `site/deploy/nginx.conf` in `/etc/nginx/conf.d/`. Keep every `add_header` at server level: a location with an `add_header` of its own drops all the others.',
          'Apache httpd: `site/deploy/apache-wslab.conf` as a site, and `a2enmod headers`.',
          'GitHub Pages and other hosts that cannot set headers cannot isolate a page. Use `npm start` on each computer instead.',
        ],
        'A CDN or proxy in front of the server can drop the headers. Check what reaches the browser with `curl -sI https://your-site/en/ | grep -i cross-origin`.',
      ],
      results: {
        pass: 'The server sends {headers}.',
        warn: 'Isolation headers are right, but {problems}.',
        fail: 'The server does not isolate this page: {problems}.',
        ok: '{name}: {value}',
        wrong: '{name} is “{value}” but must be “{expected}”',
        missing: '{name} is missing (needs “{expected}”)',
        fetchFailed: 'Could not ask the server for this page’s headers ({error}).',
      },
    },
    isolation: {
      name: 'Cross-origin isolation',
      what: 'Reads `crossOriginIsolated`. It is true only when the page arrived over a secure context with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`. WebContainer cannot start without it.',
      fix: [
        'Fix the two checks above first. If both pass and this still fails:',
        [
          'Open the page in a tab of its own, not inside a frame or in a window another site opened.',
          'Reload without the cache (Ctrl+Shift+R, or Cmd+Shift+R on a Mac): a cached copy may predate the headers.',
          'Check the browser console for resources blocked by `Cross-Origin-Embedder-Policy`: everything the page loads must come from this origin or send `Cross-Origin-Resource-Policy`.',
        ],
      ],
      results: {
        pass: '`crossOriginIsolated` is true.',
        fail: '`crossOriginIsolated` is false.',
      },
    },
    'shared-array-buffer': {
      name: 'SharedArrayBuffer',
      what: 'Creates a `SharedArrayBuffer` and a shared WebAssembly memory. WebContainer’s threads talk to each other through them; browsers only offer them on cross-origin isolated pages.',
      fix: [
        'This follows from cross-origin isolation: fix that check first.',
        'If isolation passes and this fails, the browser is too old. SharedArrayBuffer on isolated pages needs Chrome or Edge 92, Firefox 79 or Safari 15.2, or later.',
      ],
      results: {
        pass: '`SharedArrayBuffer` and shared WebAssembly memory work.',
        missing: '`SharedArrayBuffer` is not available (its type here is “{type}”).',
        memory: '`SharedArrayBuffer` exists, but shared WebAssembly memory failed ({error}).',
      },
    },
    webassembly: {
      name: 'WebAssembly',
      what: 'Compiles and runs a tiny WebAssembly module. WebContainer’s Node.js runs as WebAssembly.',
      fix: [
        'Some security settings turn WebAssembly off. Allow it for this site, or use `npm start` and the local runtime:',
        [
          'Microsoft Edge: Settings → Privacy, search, and services → Enhance your security on the web: add this site as an exception, or choose Balanced.',
          'Chrome managed by an organisation: the `DefaultJavaScriptJitSetting` and `JavaScriptJitBlockedForSites` policies also block WebAssembly (see chrome://policy).',
          'Safari with Lockdown Mode on: turn it off for this website (Safari → Settings for This Website).',
        ],
      ],
      results: {
        pass: 'A WebAssembly module compiled and ran.',
        fail: 'WebAssembly is missing or disabled ({error}).',
      },
    },
    'service-worker': {
      name: 'Service workers',
      what: 'Checks that this window offers service workers. WebContainer registers one in its frame to serve the sandbox’s files; private windows and some privacy settings switch them off.',
      fix: [
        'Open the page in a normal window, not a private one (Firefox has no service workers in private windows).',
        'Make sure cookies and site data are not blocked for this site: service workers count as site data. In Firefox, `dom.serviceWorkers.enabled` must be true in about:config.',
        'Service workers also need a secure context: see the first check.',
      ],
      results: {
        pass: 'Service workers are available.',
        fail: 'Service workers are not available in this window.',
      },
    },
    storage: {
      name: 'Storage (first and third party)',
      what: 'Writes and reads a test value in localStorage and IndexedDB, and checks that cookies are on. WebContainer also keeps data in its frame from stackblitz.com, which is third-party storage: browsers that block third-party cookies and site data stop it at “starting”. That part cannot be tested from here without contacting StackBlitz, so this check warns about browsers that block it by default.',
      fix: [
        'Allow cookies and site data for this site. Then allow third-party cookies for `[*.]stackblitz.com` and `[*.]webcontainer-api.io`:',
        [
          'Chrome and Edge: Settings → Privacy and security → Third-party cookies → Sites allowed to use third-party cookies → Add. Private (Incognito/InPrivate) windows block them.',
          'Firefox: the shield icon in the address bar → turn Enhanced Tracking Protection off for this site (needed in Strict mode).',
          'Safari: Settings → Privacy → clear “Prevent cross-site tracking” while you use the sandbox.',
          'Brave: the Brave icon in the address bar → Shields down for this site.',
        ],
        'Or use `npm start` and the local runtime, which needs no third-party storage.',
      ],
      results: {
        pass: 'localStorage, IndexedDB and cookies work. Third-party storage cannot be tested from here; if the sandbox stops while starting WebContainer, see the fix.',
        warn: 'Storage works for this site, but {browser} blocks third-party storage by default, which stops WebContainer’s StackBlitz frame unless you allow it.',
        fail: 'Storage is blocked for this site: {problems}.',
        cookiesOff: 'cookies are off',
        localStorage: 'localStorage failed ({error})',
        indexedDb: 'IndexedDB failed ({error})',
      },
    },
    browser: {
      name: 'Browser and version',
      what: 'Reads the browser’s name and version. WebContainer is best supported in browsers built on Chromium (Chrome, Edge, Brave, Opera, Vivaldi); StackBlitz calls Firefox and Safari support beta.',
      fix: [
        'Update the browser, or use a current Chrome or Edge for the sandbox. On iPhone and iPad every browser runs on Safari’s engine, so the Safari notes apply to all of them.',
      ],
      results: {
        pass: '{browser} {version}: supported.',
        beta: '{browser} {version}: WebContainer support is beta here; a browser built on Chromium is the safe choice.',
        old: '{browser} {version} is too old: SharedArrayBuffer on isolated pages needs version {minimum} or later.',
        unknown: 'Could not tell which browser this is ({userAgent}).',
      },
    },
    'local-runtime': {
      name: 'Local runtime (wslab serve)',
      what: 'Asks this server whether it runs the sandbox itself, as `wslab serve` does. Then the sandbox works without WebContainer, and without internet access.',
      fix: [
        'To run everything on your own computer: install Node.js 20 or later, then in the project folder run `npm start` (it builds the site and starts `wslab serve`) and open http://127.0.0.1:4321/.',
      ],
      results: {
        pass: 'This server runs the sandbox itself (wslab serve): it works without internet access.',
        info: 'This server does not run the sandbox (a static host), so the sandbox depends on WebContainer.',
      },
    },
  },
};

const ja: PreflightStrings = {
  title: '事前チェック',
  description: 'このブラウザとこのサーバーでサンドボックスが動くかを確かめます。問題があれば、原因と直し方を示します。',
  intro: [
    'サンドボックスの動かし方は 2 つあります。ブラウザの中で動かす場合は、WebContainer がこのタブの中で Node.js を動かします。これには、クロスオリジン分離されたページ（2 つのレスポンスヘッダー）、SharedArrayBuffer、WebAssembly、Service Worker、StackBlitz のフレーム用のストレージが必要で、起動時にはインターネットにつながっている必要もあります。自分のパソコンで `npm start` を実行すると `wslab serve` が起動し、サンドボックスはサイトと並ぶ Node プロセスとして動きます。この場合は上の条件もインターネット接続も要りません。',
    'このページは、それぞれの条件をブラウザの中で確かめ、満たしていないものについて直し方を示します。どのヘッダーか、`site/deploy/` のどの設定ファイルか、ブラウザのどの設定かを具体的に書いています。',
  ],
  noScript:
    'JavaScript が無効なため、まだ何も確かめていません。JavaScript を有効にすると、下のチェックをブラウザの中で実行します。各チェックには、何を確かめるかと直し方を載せています。',
  rerun: 'もう一度チェックする',
  summaryHeading: '結果',
  checksHeading: 'チェック項目',
  headersHeading: 'サーバーが送るべきヘッダー',
  headersIntro:
    'サイトのすべてのレスポンスに次のヘッダーが付きます。`wslab serve` は自分で送ります。ほかのホスト向けには、`site/deploy/` にちょうどこれらを送る設定があります（ずれないようにテストで確かめています）。',
  cacheScope: { hashed: '{paths} の場合', other: 'それ以外の場合' },
  headerWhy: {
    'Cross-Origin-Opener-Policy': 'ページを専用のブラウジングコンテキストグループに置き、ほかのサイトのウィンドウから触れられないようにします。クロスオリジン分離に必要な 2 つのヘッダーの 1 つです。',
    'Cross-Origin-Embedder-Policy': 'ページが読み込めるのは、それを許しているリソース（同一オリジン、または CORP か CORS 付き）だけになります。分離に必要なもう 1 つのヘッダーです。',
    'Cross-Origin-Resource-Policy': 'サイトのファイルを埋め込めるのは同じオリジンだけだと宣言し、よそのサイトの分離されたページに取り込まれないようにします。',
    'X-Content-Type-Options': 'ブラウザが種類を推測せず、宣言された種類を使うようにします。JavaScript として配信されたものだけがスクリプトとして実行されます。',
    'Referrer-Policy': 'チュートリアルから外部へのリンクをたどっても、どのページから来たかを相手に伝えません。',
    'Cache-Control': '`/_astro/`（と `/monaco/`、`/pagefind/fragment/`）のファイルは名前に内容のハッシュを含むので 1 年間キャッシュします。それ以外は毎回サーバーに確認するので、新しいデプロイがすぐに反映されます。',
  },
  fixHeading: '直し方',
  status: {
    pass: '合格',
    warn: '注意',
    fail: '不合格',
    info: '情報',
    pending: 'チェック中…',
    notRun: '未チェック（JavaScript が必要です）',
  },
  summary: {
    checking: 'チェック中…',
    webContainer: 'このブラウザでサンドボックスを動かせます（WebContainer）。起動時に stackblitz.com へ接続できる必要があります。',
    webContainerAndLocal:
      'このブラウザでサンドボックスを動かせます（WebContainer）。さらにこのサーバーがサンドボックスを自分で動かしている（wslab serve）ので、インターネットにつながっていなくても動きます。',
    webContainerWarnings:
      'このブラウザでサンドボックスを動かせるはずですが、{count} 件のチェックに注意があります。起動の途中で止まる場合は、まずそれらを見てください。',
    localOnly: 'ここでは WebContainer は動きませんが、このサーバーがサンドボックスを自分で動かしている（wslab serve）ので、サンドボックスは使えます。',
    none: 'ここではサンドボックスを動かせません。下の最初の不合格のチェックを直すか、自分のパソコンで `npm start` を実行してチュートリアルを動かしてください。',
  },
  checks: {
    'secure-context': {
      name: '安全なコンテキスト',
      what: 'このページが安全なコンテキスト（https://、または localhost か 127.0.0.1 への http://）かを確かめます。それ以外では、ブラウザは分離のヘッダーを無視し、Service Worker も使わせません。',
      fix: [
        'サイトを HTTPS で配信してください。`site/deploy/` の nginx と Apache の設定は、ほかのサイトと同じように証明書を設定できます（listen 443 ssl / SSLEngine on）。Netlify、Cloudflare Pages、Vercel は最初から HTTPS です。',
        '証明書を用意できないローカルネットワークでのワークショップでは、参加者それぞれのパソコンでチュートリアルを動かしてください（`npm start` のあと http://127.0.0.1:4321/ を開く）。こちらは安全なコンテキストとして扱われます。',
      ],
      results: {
        pass: '{origin} は安全なコンテキストです。',
        fail: '{origin} は安全なコンテキストではないため、ブラウザはここでは分離のヘッダーを無視します。',
      },
    },
    headers: {
      name: 'このページの分離ヘッダー',
      what: 'このページをもう一度サーバーに要求し、レスポンスの `Cross-Origin-Opener-Policy`、`Cross-Origin-Embedder-Policy`、`Cross-Origin-Resource-Policy` を読みます。',
      fix: [
        '「サーバーが送るべきヘッダー」の表にあるヘッダーを、すべてのレスポンスに付けてください。ホストごとの設定ファイルは次のとおりです。',
        [
          'Netlify と Cloudflare Pages：`dist/_headers`（ビルドが `site/public/_headers` からコピーします）。`dist` フォルダー全体を公開してください。',
          'Vercel：`site/deploy/vercel.json` をリポジトリのルートにコピーします。',
          'nginx：`site/deploy/nginx.conf` を `/etc/nginx/conf.d/` に置きます。`add_header` はすべて server のレベルに置いてください。独自の `add_header` を持つ location では、ほかの `add_header` がすべて効かなくなります。',
          'Apache httpd：`site/deploy/apache-wslab.conf` をサイトとして有効にし、`a2enmod headers` を実行します。',
          'GitHub Pages のようにヘッダーを設定できないホストでは、ページを分離できません。代わりに各自のパソコンで `npm start` を使ってください。',
        ],
        'サーバーの前にある CDN やプロキシがヘッダーを落とすこともあります。ブラウザに届くヘッダーは `curl -sI https://your-site/ja/ | grep -i cross-origin` で確かめられます。',
      ],
      results: {
        pass: 'サーバーは {headers} を送っています。',
        warn: '分離のヘッダーは正しいものの、{problems}。',
        fail: 'サーバーはこのページを分離していません：{problems}。',
        ok: '{name}: {value}',
        wrong: '{name} が「{value}」です（「{expected}」である必要があります）',
        missing: '{name} がありません（「{expected}」が必要です）',
        fetchFailed: 'このページのヘッダーをサーバーに問い合わせられませんでした（{error}）。',
      },
    },
    isolation: {
      name: 'クロスオリジン分離',
      what: '`crossOriginIsolated` を読みます。これが true になるのは、ページが安全なコンテキストで、`Cross-Origin-Opener-Policy: same-origin` と `Cross-Origin-Embedder-Policy: require-corp` 付きで届いたときだけです。これがないと WebContainer は起動できません。',
      fix: [
        'まず上の 2 つのチェックを直してください。どちらも合格なのにこれが不合格なら：',
        [
          'ページを単独のタブで開いてください。フレームの中や、ほかのサイトが開いたウィンドウでは分離されません。',
          'キャッシュを使わずに再読み込みしてください（Ctrl+Shift+R、Mac では Cmd+Shift+R）。ヘッダーを設定する前のコピーがキャッシュに残っていることがあります。',
          'ブラウザのコンソールで、`Cross-Origin-Embedder-Policy` によってブロックされたリソースがないか確かめてください。ページが読み込むものはすべて、このオリジンから来るか、`Cross-Origin-Resource-Policy` を送る必要があります。',
        ],
      ],
      results: {
        pass: '`crossOriginIsolated` は true です。',
        fail: '`crossOriginIsolated` は false です。',
      },
    },
    'shared-array-buffer': {
      name: 'SharedArrayBuffer',
      what: '`SharedArrayBuffer` と共有 WebAssembly メモリを作ります。WebContainer のスレッドはこれを通してやり取りします。ブラウザはクロスオリジン分離されたページでしかこれらを使わせません。',
      fix: [
        'これはクロスオリジン分離の結果です。先にそちらのチェックを直してください。',
        '分離が合格なのにこれが不合格なら、ブラウザが古すぎます。分離されたページで SharedArrayBuffer を使うには、Chrome か Edge の 92、Firefox 79、Safari 15.2 以降が必要です。',
      ],
      results: {
        pass: '`SharedArrayBuffer` と共有 WebAssembly メモリが使えます。',
        missing: '`SharedArrayBuffer` が使えません（ここでの型は「{type}」です）。',
        memory: '`SharedArrayBuffer` はありますが、共有 WebAssembly メモリを作れませんでした（{error}）。',
      },
    },
    webassembly: {
      name: 'WebAssembly',
      what: 'ごく小さな WebAssembly モジュールをコンパイルして実行します。WebContainer の Node.js は WebAssembly として動きます。',
      fix: [
        'セキュリティ設定によっては WebAssembly が無効になります。このサイトで許可するか、`npm start` でローカルランタイムを使ってください。',
        [
          'Microsoft Edge：設定 → プライバシー、検索、サービス → Web 上のセキュリティを強化する で、このサイトを例外に追加するか、「バランス」を選びます。',
          '組織が管理する Chrome：`DefaultJavaScriptJitSetting` と `JavaScriptJitBlockedForSites` ポリシーは WebAssembly もブロックします（chrome://policy で確認できます）。',
          'ロックダウンモードの Safari：このサイトではロックダウンモードをオフにしてください（Safari → この Web サイトの設定）。',
        ],
      ],
      results: {
        pass: 'WebAssembly モジュールをコンパイルして実行できました。',
        fail: 'WebAssembly がないか、無効になっています（{error}）。',
      },
    },
    'service-worker': {
      name: 'Service Worker',
      what: 'このウィンドウで Service Worker が使えるかを確かめます。WebContainer はフレームの中に Service Worker を登録し、サンドボックスのファイルを配信します。プライベートウィンドウや一部のプライバシー設定では使えません。',
      fix: [
        'プライベートウィンドウではなく、通常のウィンドウで開いてください（Firefox のプライベートウィンドウには Service Worker がありません）。',
        'このサイトの Cookie とサイトデータがブロックされていないか確かめてください。Service Worker はサイトデータとして扱われます。Firefox では about:config の `dom.serviceWorkers.enabled` が true である必要があります。',
        'Service Worker には安全なコンテキストも必要です。最初のチェックを見てください。',
      ],
      results: {
        pass: 'Service Worker が使えます。',
        fail: 'このウィンドウでは Service Worker が使えません。',
      },
    },
    storage: {
      name: 'ストレージ（ファーストパーティとサードパーティ）',
      what: 'localStorage と IndexedDB にテスト用の値を書いて読み、Cookie が有効かを確かめます。WebContainer は stackblitz.com のフレームにもデータを保存します。これはサードパーティのストレージなので、サードパーティの Cookie とサイトデータをブロックするブラウザでは「起動中」で止まります。この部分は StackBlitz に接続しないと確かめられないため、既定でブロックするブラウザについては注意を表示します。',
      fix: [
        'このサイトの Cookie とサイトデータを許可してください。そのうえで、`[*.]stackblitz.com` と `[*.]webcontainer-api.io` にサードパーティの Cookie を許可します。',
        [
          'Chrome と Edge：設定 → プライバシーとセキュリティ → サードパーティ Cookie → サードパーティ Cookie の使用を許可するサイト → 追加。シークレット／InPrivate ウィンドウではブロックされます。',
          'Firefox：アドレスバーの盾のアイコン → このサイトの強化型トラッキング防止機能をオフ（「厳格」モードでは必要です）。',
          'Safari：設定 → プライバシー →「サイト越えトラッキングを防ぐ」を、サンドボックスを使う間だけオフにします。',
          'Brave：アドレスバーの Brave アイコン → このサイトのシールドをオフ。',
        ],
        'または `npm start` でローカルランタイムを使ってください。サードパーティのストレージは要りません。',
      ],
      results: {
        pass: 'localStorage、IndexedDB、Cookie が使えます。サードパーティのストレージはここからは確かめられません。WebContainer の起動中にサンドボックスが止まる場合は、直し方を見てください。',
        warn: 'このサイトのストレージは使えますが、{browser} は既定でサードパーティのストレージをブロックします。許可しない限り、WebContainer の StackBlitz のフレームが動きません。',
        fail: 'このサイトのストレージがブロックされています：{problems}。',
        cookiesOff: 'Cookie が無効です',
        localStorage: 'localStorage が使えません（{error}）',
        indexedDb: 'IndexedDB が使えません（{error}）',
      },
    },
    browser: {
      name: 'ブラウザとバージョン',
      what: 'ブラウザの名前とバージョンを読みます。WebContainer がいちばんよく動くのは Chromium ベースのブラウザ（Chrome、Edge、Brave、Opera、Vivaldi）です。Firefox と Safari への対応は、StackBlitz によればベータ版です。',
      fix: [
        'ブラウザを更新するか、サンドボックスには最新の Chrome か Edge を使ってください。iPhone と iPad ではどのブラウザも Safari のエンジンで動くので、Safari についての説明がすべてに当てはまります。',
      ],
      results: {
        pass: '{browser} {version}：対応しています。',
        beta: '{browser} {version}：ここでの WebContainer 対応はベータ版です。確実なのは Chromium ベースのブラウザです。',
        old: '{browser} {version} は古すぎます。分離されたページで SharedArrayBuffer を使うには、バージョン {minimum} 以降が必要です。',
        unknown: 'どのブラウザか判別できませんでした（{userAgent}）。',
      },
    },
    'local-runtime': {
      name: 'ローカルランタイム（wslab serve）',
      what: 'このサーバーが `wslab serve` のようにサンドボックスを自分で動かしているかを問い合わせます。そうであれば、サンドボックスは WebContainer なしで、インターネットにつながっていなくても動きます。',
      fix: [
        'すべてを自分のパソコンで動かすには、Node.js 20 以降を入れ、プロジェクトのフォルダーで `npm start` を実行して（サイトをビルドしてから `wslab serve` を起動します）、http://127.0.0.1:4321/ を開いてください。',
      ],
      results: {
        pass: 'このサーバーはサンドボックスを自分で動かしています（wslab serve）。インターネットにつながっていなくても動きます。',
        info: 'このサーバーはサンドボックスを動かしていません（静的ホスト）。サンドボックスは WebContainer 頼みです。',
      },
    },
  },
};

export const PREFLIGHT: Record<Locale, PreflightStrings> = { en, ja };

export function preflightStrings(locale: Locale): PreflightStrings {
  return PREFLIGHT[locale];
}
