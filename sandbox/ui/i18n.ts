/**
 * Every string the sandbox shows, in English and Japanese. The `SandboxStrings` type makes a
 * missing translation a type error. Strings that take values are functions.
 */

export type Locale = 'en' | 'ja';

export interface SandboxStrings {
  title: string;
  close: string;
  runtime: {
    label: string;
    booting: string;
    ready: (runtime: string) => string;
    failed: (reason: string) => string;
    trying: (runtime: string) => string;
    restart: string;
  };
  running: {
    none: string;
    applied: (time: string) => string;
    refused: string;
    keptPrevious: string;
    nothingRunning: string;
    unsaved: string;
    cannotRun: (reason: string) => string;
  };
  editor: {
    label: string;
    loading: string;
    failed: (reason: string) => string;
    run: string;
    running: string;
    liveConfigtest: string;
    lastRunConfigtest: string;
    configtestTitle: string;
    problems: (errors: number, warnings: number) => string;
    noProblems: string;
    startupErrors: string;
    otherFile: (file: string) => string;
  };
  hover: {
    module: string;
    context: string;
    simulated: string;
    validated: string;
    manual: string;
    noManual: string;
    section: string;
    proxyParameter: string;
  };
  exercise: {
    check: string;
    checking: string;
    showSolution: string;
    hideSolution: string;
    solutionHeading: string;
    solutionNote: string;
    copySolution: string;
    reset: string;
    resetDone: string;
    restorePrevious: string;
    restored: string;
    allPassed: string;
    passed: string;
    failed: string;
    hint: string;
    wanted: string;
    got: string;
    checksNeedRun: string;
    checksRefused: string;
    instructions: string;
  };
  share: {
    share: string;
    copied: string;
    copyFailed: string;
    linkLabel: string;
    foundInLink: string;
    loadShared: string;
    keepMine: string;
    loadedShared: string;
    invalidLink: string;
    tooLarge: string;
  };
  progress: {
    menu: string;
    export: string;
    import: string;
    imported: (configs: number, done: number) => string;
    importFailed: string;
    saveFailed: string;
  };
  backends: {
    heading: string;
    echo: string;
    app: string;
    running: string;
    stopped: string;
    unknown: string;
    start: string;
    stop: string;
  };
  client: {
    heading: string;
    path: string;
    host: string;
    headers: string;
    headersPlaceholder: string;
    headersInvalid: (lines: string) => string;
    protocols: string;
    protocolsPlaceholder: string;
    origin: string;
    tls: string;
    connect: string;
    openMany: string;
    count: string;
    httpGet: string;
    client: string;
    noClient: string;
    message: string;
    sendText: string;
    sendBinary: string;
    hexInvalid: string;
    closeCode: string;
    closeReason: string;
    closeSocket: string;
    events: string;
    eventOpen: (protocol: string) => string;
    eventRejected: (status: number) => string;
    eventIn: string;
    eventOut: string;
    eventClosed: (code: number, reason: string) => string;
    eventError: string;
    httpResult: (status: number) => string;
    requestFailed: (message: string) => string;
    needsRun: string;
  };
  traffic: {
    heading: string;
    empty: string;
    lanes: { client: string; apache: string; backend: string };
    clear: string;
    connection: (id: number) => string;
    steps: {
      request: string;
      routing: string;
      toBackend: string;
      fromBackend: string;
      response: string;
      accept: string;
      frames: string;
      timing: string;
      logs: string;
    };
    showLine: (line: number) => string;
    noRoute: string;
    target: string;
    upgrade: string;
    diffHeading: string;
    diffHeader: string;
    diffClient: string;
    diffBackend: string;
    diffNote: string;
    targetRewritten: (from: string, to: string) => string;
    notes: Record<string, string>;
    kinds: { same: string; changed: string; added: string; removed: string };
    accept: {
      match: string;
      mismatch: string;
      missing: string;
      noKey: string;
      invalidKey: string;
      formula: string;
    };
    frameColumns: { direction: string; time: string; opcode: string; fin: string; mask: string; length: string; payload: string };
    toBackend: string;
    toClient: string;
    closeCode: (code: number, name: string) => string;
    framesDropped: (count: number) => string;
    frameError: string;
    timing: { handshake: string; backend: string; tunnel: string; total: string; bytes: (fromClient: number, fromBackend: number) => string; open: string };
    engineSays: string;
    waitingWorker: (busy: number, limit: number) => string;
  };
  logs: {
    error: string;
    access: string;
    empty: string;
  };
  notices: {
    info: string;
    warn: string;
    error: string;
  };
}

const en: SandboxStrings = {
  title: 'Sandbox',
  close: 'Close',
  runtime: {
    label: 'Runtime',
    booting: 'starting the sandbox…',
    ready: (runtime) => `ready (${runtime})`,
    failed: (reason) => `failed: ${reason}`,
    trying: (runtime) => `trying ${runtime}…`,
    restart: 'Start a new sandbox',
  },
  running: {
    none: 'No config is running yet: press Run.',
    applied: (time) => `Your config is running (applied ${time}).`,
    refused: 'configtest refused the new config.',
    keptPrevious: 'The previous config keeps running.',
    nothingRunning: 'Nothing is running yet.',
    unsaved: 'The editor has changes that are not running yet.',
    cannotRun: (reason) => `The config could not be run: ${reason}`,
  },
  editor: {
    label: 'Apache config (sites-enabled/000-default.conf)',
    loading: 'Loading the editor…',
    failed: (reason) => `The editor could not load: ${reason}`,
    run: 'Run',
    running: 'Running…',
    liveConfigtest: 'configtest (live, as you type)',
    lastRunConfigtest: 'configtest (last Run)',
    configtestTitle: '$ apachectl configtest',
    problems: (errors, warnings) => `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`,
    noProblems: 'no problems',
    startupErrors: 'Apache would not start:',
    otherFile: (file) => `in ${file}`,
  },
  hover: {
    module: 'Module',
    context: 'Context',
    simulated: 'simulated: the sandbox acts on it',
    validated: 'validated only: checked like httpd, but the sandbox does not act on it',
    manual: 'httpd manual',
    noManual: 'no manual section',
    section: 'section',
    proxyParameter: 'ProxyPass parameter',
  },
  exercise: {
    check: 'Check',
    checking: 'Checking…',
    showSolution: 'Show solution',
    hideSolution: 'Back to my config',
    solutionHeading: 'Your config (left) and a solution (right)',
    solutionNote: 'Your config is kept; nothing is changed until you edit it yourself.',
    copySolution: 'Use the solution',
    reset: 'Reset',
    resetDone: 'Back to the start config.',
    restorePrevious: 'Restore my previous config',
    restored: 'Your previous config is back.',
    allPassed: 'Every check passed. Lesson done!',
    passed: 'passed',
    failed: 'failed',
    hint: 'Hint',
    wanted: 'wanted',
    got: 'got',
    checksNeedRun: 'Running your config before checking…',
    checksRefused: 'The checks did not run: configtest refused the config.',
    instructions: 'Exercise',
  },
  share: {
    share: 'Share link',
    copied: 'Link copied. It carries your config in the URL.',
    copyFailed: 'Copy the link below:',
    linkLabel: 'Share link',
    foundInLink: 'This link carries a config. Load it into the editor? Your own config is kept and can be restored.',
    loadShared: 'Load the shared config',
    keepMine: 'Keep mine',
    loadedShared: 'Loaded the config from the link.',
    invalidLink: 'The config in this link is damaged and was ignored.',
    tooLarge: 'The config in this link is too large and was ignored.',
  },
  progress: {
    menu: 'Progress',
    export: 'Export progress (JSON)',
    import: 'Import progress…',
    imported: (configs, done) => `Imported ${configs} config${configs === 1 ? '' : 's'} and ${done} finished lesson${done === 1 ? '' : 's'}.`,
    importFailed: 'That file is not a wslab progress export.',
    saveFailed: 'This browser does not let the page save; your edits will not survive a reload.',
  },
  backends: {
    heading: 'Backends',
    echo: 'echo :8080',
    app: 'app :3000',
    running: 'running',
    stopped: 'stopped',
    unknown: 'unknown',
    start: 'Start',
    stop: 'Stop',
  },
  client: {
    heading: 'Test client',
    path: 'Path',
    host: 'Host',
    headers: 'Extra headers',
    headersPlaceholder: 'Name: value (one per line)',
    headersInvalid: (lines) => `Not a header (Name: value) on line ${lines}.`,
    protocols: 'Subprotocols',
    protocolsPlaceholder: 'chat, superchat',
    origin: 'Origin',
    tls: 'TLS (wss://, https://)',
    connect: 'Connect WebSocket',
    openMany: 'Open at once',
    count: 'How many',
    httpGet: 'HTTP GET',
    client: 'Socket',
    noClient: 'no open socket',
    message: 'Message',
    sendText: 'Send text',
    sendBinary: 'Send binary (hex)',
    hexInvalid: 'Binary messages are written as hex, two digits per byte (e.g. 48 69).',
    closeCode: 'Close code',
    closeReason: 'Reason',
    closeSocket: 'Close',
    events: 'Client events',
    eventOpen: (protocol) => `open: 101 Switching Protocols${protocol ? `, subprotocol ${protocol}` : ''}`,
    eventRejected: (status) => `rejected with ${status}`,
    eventIn: 'received',
    eventOut: 'sent',
    eventClosed: (code, reason) => `closed ${code}${reason ? ` ${reason}` : ''}`,
    eventError: 'error',
    httpResult: (status) => `HTTP ${status}`,
    requestFailed: (message) => `The sandbox refused: ${message}`,
    needsRun: 'Run a config first.',
  },
  traffic: {
    heading: 'Traffic',
    empty: 'No traffic yet. Connect a WebSocket or send a GET to see both hops of the handshake here.',
    lanes: { client: 'client', apache: 'Apache', backend: 'backend' },
    clear: 'Clear',
    connection: (id) => `Connection #${id}`,
    steps: {
      request: '1. Client → Apache',
      routing: '2. Routing decision',
      toBackend: '3. Apache → backend',
      fromBackend: '4. Backend → Apache',
      response: '5. Apache → client',
      accept: 'Sec-WebSocket-Accept',
      frames: 'Frames',
      timing: 'Timing',
      logs: 'Log lines',
    },
    showLine: (line) => `show line ${line} in the editor`,
    noRoute: 'No routing decision was recorded.',
    target: 'Backend URL',
    upgrade: 'Upgrade forwarded',
    diffHeading: 'What Apache changed',
    diffHeader: 'Header',
    diffClient: 'client sent',
    diffBackend: 'backend got',
    diffNote: 'why',
    targetRewritten: (from, to) => `Request target ${from} → ${to} (ProxyPass maps the prefix onto the backend URL)`,
    notes: {
      'host-rewritten': 'Host is the backend’s (ProxyPreserveHost Off)',
      'host-preserved': 'Host kept (ProxyPreserveHost On)',
      'x-forwarded-added': 'added by mod_proxy (ProxyAddHeaders)',
      'hop-by-hop-removed': 'hop-by-hop: not forwarded',
      'upgrade-re-sent': 'hop-by-hop, sent again for the upgrade',
      'connection-re-sent': 'hop-by-hop, set by Apache for this hop',
      'added-by-config': 'added (RequestHeader or the proxy)',
      'removed-by-config': 'removed (RequestHeader unset?)',
      'changed-by-config': 'changed (RequestHeader?)',
    },
    kinds: { same: 'same', changed: 'changed', added: 'added', removed: 'removed' },
    accept: {
      match: 'verified: matches base64(SHA-1(key + GUID))',
      mismatch: 'does NOT match the key: a client must reject this upgrade',
      missing: 'missing: a client must reject this upgrade',
      noKey: 'the client sent no Sec-WebSocket-Key',
      invalidKey: 'the client’s key is not 16 bytes of base64',
      formula: 'expected',
    },
    frameColumns: { direction: 'dir', time: '+ms', opcode: 'opcode', fin: 'FIN', mask: 'mask', length: 'bytes', payload: 'payload' },
    toBackend: 'client → backend',
    toClient: 'backend → client',
    closeCode: (code, name) => `close ${code} (${name})`,
    framesDropped: (count) => `${count} more frames not shown`,
    frameError: 'frame error',
    timing: {
      handshake: 'request to response',
      backend: 'backend answered in',
      tunnel: 'tunnel open for',
      total: 'connection open for',
      bytes: (fromClient, fromBackend) => `${fromClient} B from the client, ${fromBackend} B from the backend`,
      open: 'still open',
    },
    engineSays: 'Emulator',
    waitingWorker: (busy, limit) => `Waited for a free worker: ${busy} of ${limit} busy (MaxRequestWorkers).`,
  },
  logs: {
    error: 'error.log',
    access: 'access.log',
    empty: '(empty)',
  },
  notices: {
    info: 'Note',
    warn: 'Warning',
    error: 'Error',
  },
};

const ja: SandboxStrings = {
  title: 'サンドボックス',
  close: '閉じる',
  runtime: {
    label: 'ランタイム',
    booting: 'サンドボックスを起動中…',
    ready: (runtime) => `準備完了（${runtime}）`,
    failed: (reason) => `停止: ${reason}`,
    trying: (runtime) => `${runtime} を試しています…`,
    restart: '新しいサンドボックスを起動',
  },
  running: {
    none: 'まだ設定は動いていません。「実行」を押してください。',
    applied: (time) => `あなたの設定が動いています（${time} に適用）。`,
    refused: 'configtest が新しい設定を拒否しました。',
    keptPrevious: '以前の設定がそのまま動き続けています。',
    nothingRunning: 'まだ何も動いていません。',
    unsaved: 'エディタにまだ適用していない変更があります。',
    cannotRun: (reason) => `設定を実行できませんでした: ${reason}`,
  },
  editor: {
    label: 'Apache の設定（sites-enabled/000-default.conf）',
    loading: 'エディタを読み込み中…',
    failed: (reason) => `エディタを読み込めませんでした: ${reason}`,
    run: '実行',
    running: '実行中…',
    liveConfigtest: 'configtest（入力に合わせて自動実行）',
    lastRunConfigtest: 'configtest（前回の実行）',
    configtestTitle: '$ apachectl configtest',
    problems: (errors, warnings) => `エラー ${errors} 件、警告 ${warnings} 件`,
    noProblems: '問題なし',
    startupErrors: 'Apache は起動できません:',
    otherFile: (file) => `${file} 内`,
  },
  hover: {
    module: 'モジュール',
    context: 'コンテキスト',
    simulated: 'シミュレート対象: サンドボックスが実際に動作に反映します',
    validated: '検証のみ: httpd と同じく検査しますが、動作には反映しません',
    manual: 'httpd マニュアル',
    noManual: 'マニュアルの節なし',
    section: 'セクション',
    proxyParameter: 'ProxyPass のパラメータ',
  },
  exercise: {
    check: 'チェック',
    checking: 'チェック中…',
    showSolution: '解答例を見る',
    hideSolution: '自分の設定に戻る',
    solutionHeading: 'あなたの設定（左）と解答例（右）',
    solutionNote: 'あなたの設定はそのまま残ります。自分で編集しない限り何も変わりません。',
    copySolution: '解答例を使う',
    reset: 'リセット',
    resetDone: '最初の設定に戻しました。',
    restorePrevious: '直前の設定に戻す',
    restored: '直前の設定を復元しました。',
    allPassed: 'すべてのチェックに合格しました。レッスン完了です！',
    passed: '合格',
    failed: '不合格',
    hint: 'ヒント',
    wanted: '期待',
    got: '実際',
    checksNeedRun: 'チェックの前に設定を実行しています…',
    checksRefused: 'configtest が設定を拒否したため、チェックは実行されませんでした。',
    instructions: '演習',
  },
  share: {
    share: '共有リンク',
    copied: 'リンクをコピーしました。URL に設定が含まれています。',
    copyFailed: '次のリンクをコピーしてください:',
    linkLabel: '共有リンク',
    foundInLink: 'このリンクには設定が含まれています。エディタに読み込みますか？ 自分の設定は保存され、あとで戻せます。',
    loadShared: '共有された設定を読み込む',
    keepMine: '自分の設定を使う',
    loadedShared: 'リンクの設定を読み込みました。',
    invalidLink: 'このリンクの設定は壊れているため無視しました。',
    tooLarge: 'このリンクの設定は大きすぎるため無視しました。',
  },
  progress: {
    menu: '進捗',
    export: '進捗を書き出す（JSON）',
    import: '進捗を読み込む…',
    imported: (configs, done) => `設定 ${configs} 件と完了したレッスン ${done} 件を読み込みました。`,
    importFailed: 'このファイルは wslab の進捗ファイルではありません。',
    saveFailed: 'このブラウザではページが保存できません。再読み込みすると編集内容は失われます。',
  },
  backends: {
    heading: 'バックエンド',
    echo: 'echo :8080',
    app: 'app :3000',
    running: '稼働中',
    stopped: '停止中',
    unknown: '不明',
    start: '起動',
    stop: '停止',
  },
  client: {
    heading: 'テストクライアント',
    path: 'パス',
    host: 'Host',
    headers: '追加ヘッダー',
    headersPlaceholder: '名前: 値（1 行に 1 つ）',
    headersInvalid: (lines) => `${lines} 行目がヘッダー（名前: 値）の形になっていません。`,
    protocols: 'サブプロトコル',
    protocolsPlaceholder: 'chat, superchat',
    origin: 'Origin',
    tls: 'TLS（wss://、https://）',
    connect: 'WebSocket で接続',
    openMany: '同時に開く',
    count: '本数',
    httpGet: 'HTTP GET',
    client: 'ソケット',
    noClient: '開いているソケットなし',
    message: 'メッセージ',
    sendText: 'テキストを送信',
    sendBinary: 'バイナリを送信（16 進）',
    hexInvalid: 'バイナリは 1 バイト 2 桁の 16 進数で書いてください（例: 48 69）。',
    closeCode: 'クローズコード',
    closeReason: '理由',
    closeSocket: '閉じる',
    events: 'クライアントのイベント',
    eventOpen: (protocol) => `接続: 101 Switching Protocols${protocol ? `、サブプロトコル ${protocol}` : ''}`,
    eventRejected: (status) => `${status} で拒否されました`,
    eventIn: '受信',
    eventOut: '送信',
    eventClosed: (code, reason) => `切断 ${code}${reason ? ` ${reason}` : ''}`,
    eventError: 'エラー',
    httpResult: (status) => `HTTP ${status}`,
    requestFailed: (message) => `サンドボックスが拒否しました: ${message}`,
    needsRun: '先に設定を実行してください。',
  },
  traffic: {
    heading: 'トラフィック',
    empty: 'まだ通信はありません。WebSocket で接続するか GET を送ると、ハンドシェイクの両方の区間がここに表示されます。',
    lanes: { client: 'クライアント', apache: 'Apache', backend: 'バックエンド' },
    clear: 'クリア',
    connection: (id) => `接続 #${id}`,
    steps: {
      request: '1. クライアント → Apache',
      routing: '2. ルーティングの判断',
      toBackend: '3. Apache → バックエンド',
      fromBackend: '4. バックエンド → Apache',
      response: '5. Apache → クライアント',
      accept: 'Sec-WebSocket-Accept',
      frames: 'フレーム',
      timing: '時間',
      logs: 'ログ',
    },
    showLine: (line) => `エディタで ${line} 行目を表示`,
    noRoute: 'ルーティングの判断は記録されていません。',
    target: 'バックエンド URL',
    upgrade: 'アップグレードの転送',
    diffHeading: 'Apache が変えたところ',
    diffHeader: 'ヘッダー',
    diffClient: 'クライアントが送信',
    diffBackend: 'バックエンドが受信',
    diffNote: '理由',
    targetRewritten: (from, to) => `リクエストターゲット ${from} → ${to}（ProxyPass が接頭辞をバックエンド URL に置き換えます）`,
    notes: {
      'host-rewritten': 'Host はバックエンドのもの（ProxyPreserveHost Off）',
      'host-preserved': 'Host を維持（ProxyPreserveHost On）',
      'x-forwarded-added': 'mod_proxy が追加（ProxyAddHeaders）',
      'hop-by-hop-removed': 'ホップバイホップ: 転送されない',
      'upgrade-re-sent': 'ホップバイホップ。アップグレードのため送り直し',
      'connection-re-sent': 'ホップバイホップ。この区間用に Apache が設定',
      'added-by-config': '追加（RequestHeader かプロキシ）',
      'removed-by-config': '削除（RequestHeader unset？）',
      'changed-by-config': '変更（RequestHeader？）',
    },
    kinds: { same: '同じ', changed: '変更', added: '追加', removed: '削除' },
    accept: {
      match: '検証済み: base64(SHA-1(キー + GUID)) と一致',
      mismatch: 'キーと一致しません。クライアントはこのアップグレードを拒否すべきです',
      missing: 'ありません。クライアントはこのアップグレードを拒否すべきです',
      noKey: 'クライアントが Sec-WebSocket-Key を送っていません',
      invalidKey: 'クライアントのキーが 16 バイトの base64 ではありません',
      formula: '期待値',
    },
    frameColumns: { direction: '向き', time: '+ms', opcode: 'opcode', fin: 'FIN', mask: 'マスク', length: 'バイト', payload: 'ペイロード' },
    toBackend: 'クライアント → バックエンド',
    toClient: 'バックエンド → クライアント',
    closeCode: (code, name) => `close ${code}（${name}）`,
    framesDropped: (count) => `ほかに ${count} フレーム（表示省略）`,
    frameError: 'フレームエラー',
    timing: {
      handshake: 'リクエストから応答まで',
      backend: 'バックエンドの応答まで',
      tunnel: 'トンネルの継続時間',
      total: '接続の継続時間',
      bytes: (fromClient, fromBackend) => `クライアントから ${fromClient} B、バックエンドから ${fromBackend} B`,
      open: '接続中',
    },
    engineSays: 'エミュレータ',
    waitingWorker: (busy, limit) => `空きワーカーを待ちました: ${limit} 中 ${busy} が使用中（MaxRequestWorkers）。`,
  },
  logs: {
    error: 'error.log',
    access: 'access.log',
    empty: '（空）',
  },
  notices: {
    info: 'お知らせ',
    warn: '警告',
    error: 'エラー',
  },
};

export function strings(locale: Locale): SandboxStrings {
  return locale === 'ja' ? ja : en;
}
