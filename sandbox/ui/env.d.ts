/**
 * Vite features sandbox/ui uses, typed locally so `npm run typecheck` (plain tsc, without
 * vite/client) understands them: `?worker` imports for Monaco's self-hosted worker, CSS imports.
 */
declare module '*?worker' {
  const WorkerConstructor: new (options?: { name?: string }) => Worker;
  export default WorkerConstructor;
}

declare module '*.css' {}

declare module '*.css?inline' {
  const css: string;
  export default css;
}

/** Monaco's Japanese UI strings: a script that sets globals, no exports. */
declare module 'monaco-editor/nls/lang/ja.js' {}
