/**
 * A bare TCP relay for the throughput benchmark's reference path: `node tcp-pipe.ts PORT TARGET`
 * accepts on 127.0.0.1:PORT and pipes bytes both ways to 127.0.0.1:TARGET. No HTTP parsing, no
 * tap, no logs: the most any Node proxy between the client and the echo server could reach.
 */
import net from 'node:net';

const [port, target] = process.argv.slice(2).map(Number);
if (!Number.isInteger(port) || !Number.isInteger(target)) {
  console.error('usage: node sandbox/bench/tcp-pipe.ts PORT TARGET_PORT');
  process.exit(64);
}

const server = net.createServer((client) => {
  client.setNoDelay(true);
  const backend = net.connect({ host: '127.0.0.1', port: target });
  backend.setNoDelay(true);
  const cut = () => {
    client.destroy();
    backend.destroy();
  };
  client.on('error', cut);
  backend.on('error', cut);
  client.pipe(backend);
  backend.pipe(client);
});
server.listen({ host: '127.0.0.1', port }, () => console.error(`tcp-pipe: 127.0.0.1:${port} -> 127.0.0.1:${target}`));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
