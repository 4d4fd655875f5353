/**
 * Resolve on the first SIGINT or SIGTERM, the way `apache2 -DFOREGROUND` stops on either.
 * Call it before printing that the server is listening: until the handlers are in, the signals keep
 * their default action, and a supervisor that sends SIGTERM as soon as it reads that line would kill
 * the process outright instead of stopping it cleanly.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
