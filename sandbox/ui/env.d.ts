/**
 * The two Vite features sandbox/ui uses, typed locally so `npm run typecheck` (plain tsc, without
 * vite/client) understands them: `?worker` imports for Monaco's self-hosted worker, and
 * import.meta.glob for the optional runtime module.
 */
declare module '*?worker' {
  const WorkerConstructor: new (options?: { name?: string }) => Worker;
  export default WorkerConstructor;
}

declare module '*.css' {}

interface ImportMeta {
  glob<T = unknown>(pattern: string | string[], options?: { eager?: false; import?: string }): Record<string, () => Promise<T>>;
}
