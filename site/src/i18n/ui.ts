/**
 * Every string the site itself shows, per locale. Lesson text lives in lessons/; this file holds
 * only the chrome around it, so a translator finds all of it in one place and both locales stay in
 * step (the `UiStrings` type makes a missing Japanese string a type error).
 */

export const LOCALES = ['en', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];

export function isLocale(value: string | undefined): value is Locale {
  return (LOCALES as readonly string[]).includes(value ?? '');
}

/** The other locale, for the language switcher. */
export function otherLocale(locale: Locale): Locale {
  return locale === 'en' ? 'ja' : 'en';
}

export interface UiStrings {
  /** Name of the language in itself, for the switcher. */
  languageName: string;
  siteName: string;
  siteTagline: string;
  skipToContent: string;
  header: {
    homeLink: string;
    languageLabel: string;
    /** Accessible name of the switcher link that leads *to* this language (shown on the other locale's pages). */
    readInLanguage: string;
    themeToDark: string;
    themeToLight: string;
    searchLabel: string;
    searchPlaceholder: string;
    searchLoading: string;
    /** `{query}` is replaced by what the reader typed (in the browser, so no function here). */
    searchNoResults: string;
    /** `{count}` is replaced by the number of results. */
    searchResultCount: { one: string; other: string };
    searchUnavailable: string;
  };
  nav: {
    label: string;
    heading: string;
    toggle: string;
    lessonNumber: (order: number) => string;
    /** Screen-reader text after a lesson whose exercise checks all passed. */
    doneMark: string;
  };
  lesson: {
    goalsHeading: string;
    previous: string;
    next: string;
    pagerLabel: string;
  };
  quiz: {
    heading: string;
    questionLabel: (index: number, total: number) => string;
    check: string;
    chooseFirst: string;
    correct: string;
    incorrect: string;
    showAnswer: string;
    answerIs: (choice: string) => string;
  };
  exercise: {
    heading: string;
    startConfigLabel: string;
    checksHeading: string;
    checksIntro: string;
    hint: string;
    openSandbox: string;
    sandboxOpening: string;
    sandboxLoadFailed: string;
    sandboxNotInBuild: string;
    sandboxRegionLabel: string;
  };
  asides: {
    note: string;
    warning: string;
    articleSays: string;
    onHttpd24: string;
  };
  acceptCalculator: {
    heading: string;
    explanation: string;
    keyLabel: string;
    acceptLabel: string;
    randomKey: string;
    notSixteenBytes: string;
    needsJs: string;
  };
  home: {
    title: string;
    intro: string;
    learnHeading: string;
    sandboxHeading: string;
    sandboxParagraphs: string[];
    progressHeading: string;
    /** Template: `{done}` and `{total}`. */
    progressSummary: string;
    progressNone: string;
    progressNeedsJs: string;
    startFirst: string;
    /** Template: `{title}`. */
    continueWith: string;
    allDone: string;
    forgetProgress: string;
  };
  notFound: {
    title: string;
    body: string;
    backHome: string;
  };
  footer: {
    about: string;
    notAffiliated: string;
  };
}

const en: UiStrings = {
  languageName: 'English',
  siteName: 'Apache WebSocket Lab',
  siteTagline: 'Put Apache httpd 2.4 in front of WebSocket servers, and see what it really does.',
  skipToContent: 'Skip to content',
  header: {
    homeLink: 'Apache WebSocket Lab, home',
    languageLabel: 'Language',
    readInLanguage: 'Read this page in English',
    themeToDark: 'Switch to dark theme',
    themeToLight: 'Switch to light theme',
    searchLabel: 'Search the lessons',
    searchPlaceholder: 'Search',
    searchLoading: 'Loading search…',
    searchNoResults: 'No lessons mention “{query}”.',
    searchResultCount: { one: '1 result', other: '{count} results' },
    searchUnavailable: 'Search is not available here: the index is built by “npm run build”.',
  },
  nav: {
    label: 'Lessons',
    heading: 'Lessons',
    toggle: 'Lessons',
    lessonNumber: (order) => `Lesson ${order}`,
    doneMark: '(done)',
  },
  lesson: {
    goalsHeading: 'In this lesson you will',
    previous: 'Previous',
    next: 'Next',
    pagerLabel: 'Previous and next lesson',
  },
  quiz: {
    heading: 'Check your understanding',
    questionLabel: (index, total) => `Question ${index} of ${total}`,
    check: 'Check answer',
    chooseFirst: 'Choose an answer first.',
    correct: 'Correct.',
    incorrect: 'Not quite.',
    showAnswer: 'Show the answer',
    answerIs: (choice) => `Answer: ${choice}`,
  },
  exercise: {
    heading: 'Exercise',
    startConfigLabel: 'Starting config (start.conf)',
    checksHeading: 'What the checks test',
    checksIntro:
      'The sandbox sends these requests through your config. CI sends the same ones to a real httpd 2.4 running the solution.',
    hint: 'Hint',
    openSandbox: 'Open sandbox',
    sandboxOpening: 'Opening the sandbox…',
    sandboxLoadFailed: 'The sandbox could not be loaded. Reload the page to try again.',
    sandboxNotInBuild:
      'This build of the site does not include the sandbox, so the exercise can be read but not run here. Try the starting config on your own httpd 2.4 with the checks above.',
    sandboxRegionLabel: 'Sandbox',
  },
  asides: {
    note: 'Note',
    warning: 'Warning',
    articleSays: 'What the original article says',
    onHttpd24: 'What httpd 2.4 actually does',
  },
  acceptCalculator: {
    heading: 'Sec-WebSocket-Accept calculator',
    explanation:
      'The server appends the fixed GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11 to the client’s key, hashes the result with SHA-1 and sends the hash back in base64.',
    keyLabel: 'Sec-WebSocket-Key (from the request)',
    acceptLabel: 'Sec-WebSocket-Accept (in the 101 response)',
    randomKey: 'Random key',
    notSixteenBytes: 'A client sends 16 random bytes in base64 (24 characters ending in “==”); this key is not that, but the server would still compute the same hash.',
    needsJs: 'The live calculator needs JavaScript; the result above is for the key shown.',
  },
  home: {
    title: 'Apache WebSocket Lab',
    intro:
      'Nine short lessons on running Apache httpd 2.4 as a reverse proxy for WebSocket servers: the handshake, the modules, a working virtual host, TLS, the errors you will meet and how to tune for many long-lived connections. Each lesson ends with a quiz and an exercise.',
    learnHeading: 'What you will learn',
    sandboxHeading: 'How the sandbox works',
    sandboxParagraphs: [
      'Every exercise starts from an Apache config that does not work yet. You edit it in the sandbox beside the lesson, and the sandbox runs it through an emulator of Apache’s proxy written in TypeScript, with the same two backends the lessons use: a WebSocket echo server on port 8080 and an HTTP app on port 3000.',
      'The checks send real requests through your config (a WebSocket upgrade, a plain GET, a request with a backend stopped) and compare what comes back with what httpd 2.4 does. The same checks run in CI against a real httpd with each lesson’s solution, so a check that passes in the sandbox is one that passes on a real server.',
      'When all of an exercise’s checks pass, the lesson is marked done. Progress is kept in this browser only.',
    ],
    progressHeading: 'Your progress',
    progressSummary: '{done} of {total} lessons done.',
    progressNone: 'No exercises completed yet.',
    progressNeedsJs: 'Progress is stored in your browser and shown when JavaScript is enabled.',
    startFirst: 'Start with lesson 1',
    continueWith: 'Continue with “{title}”',
    allDone: 'You have completed every lesson.',
    forgetProgress: 'Forget my progress',
  },
  notFound: {
    title: 'Page not found',
    body: 'There is no page at this address. The lessons are listed on the home page.',
    backHome: 'Go to the lesson list',
  },
  footer: {
    about:
      'A tutorial and sandbox for Apache httpd 2.4 as a WebSocket reverse proxy. Where a popular Japanese article on the subject is wrong for httpd 2.4, the lessons say so.',
    notAffiliated: 'Not affiliated with the Apache Software Foundation.',
  },
};

const ja: UiStrings = {
  languageName: '日本語',
  siteName: 'Apache WebSocket Lab',
  siteTagline: 'Apache httpd 2.4 を WebSocket サーバーの前に置き、実際の動きを確かめる。',
  skipToContent: '本文へスキップ',
  header: {
    homeLink: 'Apache WebSocket Lab ホーム',
    languageLabel: '言語',
    readInLanguage: 'このページを日本語で読む',
    themeToDark: 'ダークテーマに切り替える',
    themeToLight: 'ライトテーマに切り替える',
    searchLabel: 'レッスンを検索',
    searchPlaceholder: '検索',
    searchLoading: '検索を読み込み中…',
    searchNoResults: '「{query}」を含むレッスンはありません。',
    searchResultCount: { one: '{count} 件', other: '{count} 件' },
    searchUnavailable: 'ここでは検索を使えません。検索インデックスは「npm run build」で作られます。',
  },
  nav: {
    label: 'レッスン',
    heading: 'レッスン',
    toggle: 'レッスン一覧',
    lessonNumber: (order) => `レッスン ${order}`,
    doneMark: '（完了）',
  },
  lesson: {
    goalsHeading: 'このレッスンの目標',
    previous: '前へ',
    next: '次へ',
    pagerLabel: '前後のレッスン',
  },
  quiz: {
    heading: '理解度チェック',
    questionLabel: (index, total) => `問 ${index} / ${total}`,
    check: '答え合わせ',
    chooseFirst: '先に答えを選んでください。',
    correct: '正解です。',
    incorrect: '不正解です。',
    showAnswer: '答えを見る',
    answerIs: (choice) => `答え：${choice}`,
  },
  exercise: {
    heading: '演習',
    startConfigLabel: '最初の設定（start.conf）',
    checksHeading: 'チェックの内容',
    checksIntro:
      'サンドボックスはこれらのリクエストをあなたの設定に通します。CI では同じリクエストを、解答の設定で動く本物の httpd 2.4 に送っています。',
    hint: 'ヒント',
    openSandbox: 'サンドボックスを開く',
    sandboxOpening: 'サンドボックスを開いています…',
    sandboxLoadFailed: 'サンドボックスを読み込めませんでした。ページを再読み込みしてもう一度お試しください。',
    sandboxNotInBuild:
      'このサイトのビルドにはサンドボックスが含まれていないため、ここでは演習を読むことはできても実行はできません。最初の設定とチェックの内容を、お手元の httpd 2.4 で試してください。',
    sandboxRegionLabel: 'サンドボックス',
  },
  asides: {
    note: 'メモ',
    warning: '注意',
    articleSays: '元記事の記述',
    onHttpd24: 'httpd 2.4 での実際の動作',
  },
  acceptCalculator: {
    heading: 'Sec-WebSocket-Accept 計算機',
    explanation:
      'サーバーはクライアントのキーに固定の GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11 を連結し、SHA-1 でハッシュして、その値を base64 で返します。',
    keyLabel: 'Sec-WebSocket-Key（リクエスト側）',
    acceptLabel: 'Sec-WebSocket-Accept（101 レスポンス側）',
    randomKey: 'ランダムなキー',
    notSixteenBytes:
      'クライアントは 16 バイトの乱数を base64 にして送ります（「==」で終わる 24 文字）。このキーはその形ではありませんが、サーバーは同じようにハッシュを計算します。',
    needsJs: 'この計算機を動かすには JavaScript が必要です。上の結果は表示中のキーに対するものです。',
  },
  home: {
    title: 'Apache WebSocket Lab',
    intro:
      'Apache httpd 2.4 を WebSocket サーバーのリバースプロキシとして動かすための、9 つの短いレッスンです。ハンドシェイク、必要なモジュール、動くバーチャルホスト、TLS、よく出会うエラー、長時間つながる大量の接続に向けたチューニングを扱います。各レッスンの最後には小テストと演習があります。',
    learnHeading: '学べること',
    sandboxHeading: 'サンドボックスのしくみ',
    sandboxParagraphs: [
      'どの演習も、まだ正しく動かない Apache の設定から始まります。レッスンの横のサンドボックスで設定を編集すると、TypeScript で書かれた Apache プロキシのエミュレーターがその設定で動きます。バックエンドはレッスンと同じ 2 つ、ポート 8080 の WebSocket エコーサーバーとポート 3000 の HTTP アプリです。',
      'チェックは実際のリクエスト（WebSocket のアップグレード、ふつうの GET、バックエンドを止めた状態でのリクエストなど）をあなたの設定に通し、返ってきた結果を httpd 2.4 の動作と比べます。同じチェックを CI でも、各レッスンの解答を読み込んだ本物の httpd に対して実行しています。サンドボックスで通るチェックは、本物のサーバーでも通ります。',
      '演習のチェックがすべて通ると、そのレッスンは完了になります。進み具合はこのブラウザの中だけに保存されます。',
    ],
    progressHeading: 'あなたの進み具合',
    progressSummary: '{total} レッスン中 {done} レッスン完了。',
    progressNone: '完了した演習はまだありません。',
    progressNeedsJs: '進み具合はブラウザに保存され、JavaScript が有効なときに表示されます。',
    startFirst: 'レッスン 1 から始める',
    continueWith: '「{title}」から続ける',
    allDone: 'すべてのレッスンを完了しました。',
    forgetProgress: '進み具合を消去する',
  },
  notFound: {
    title: 'ページが見つかりません',
    body: 'このアドレスにはページがありません。レッスンの一覧はホームにあります。',
    backHome: 'レッスン一覧へ',
  },
  footer: {
    about:
      'Apache httpd 2.4 を WebSocket のリバースプロキシとして使うためのチュートリアルとサンドボックスです。このテーマでよく読まれている日本語の記事が httpd 2.4 では誤っている箇所は、レッスンの中でそう明記しています。',
    notAffiliated: 'Apache Software Foundation とは関係ありません。',
  },
};

export const UI: Record<Locale, UiStrings> = { en, ja };

/** The UI strings for a locale. */
export function ui(locale: Locale): UiStrings {
  return UI[locale];
}
