import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectReusingReadBuffer, routeReads } from '../../../sandbox/server/proxy/reused-read-buffer.ts';
import { eventually } from '../../helpers/conditions.ts';

/** A loopback server whose single connection the test writes to; resolves once connected. */
async function serverAndClient(): Promise<{ peer: net.Socket; socket: net.Socket; close(): Promise<void> }> {
  let accept: (peer: net.Socket) => void = () => undefined;
  const accepted = new Promise<net.Socket>((resolve) => (accept = resolve));
  const server = net.createServer((peer) => accept(peer));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = connectReusingReadBuffer({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  const peer = await accepted;
  await new Promise<void>((resolve) => (socket.connecting ? socket.once('connect', () => resolve()) : resolve()));
  return {
    peer,
    socket,
    close: () =>
      new Promise<void>((resolve) => {
        socket.destroy();
        peer.destroy();
        server.close(() => resolve());
      }),
  };
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('connectReusingReadBuffer', () => {
  it('behaves as a normal socket until routed: data events carry chunks a listener may keep', async () => {
    const { peer, socket, close } = await serverAndClient();
    cleanup = close;
    const kept: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => kept.push(chunk));
    peer.write('first');
    await eventually(() => Buffer.concat(kept).toString() === 'first', 'the first read');
    peer.write('second');
    await eventually(() => Buffer.concat(kept).toString() === 'firstsecond', 'the second read');
    // Had the chunks shared the reused buffer, the second read would have overwritten the first.
    expect(kept[0].toString()).toBe('first');
  });

  it('after routeReads, hands reads to the consumer and not to data listeners; reuses the buffer while nobody holds it', async () => {
    const { peer, socket, close } = await serverAndClient();
    cleanup = close;
    const viaData: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => viaData.push(chunk));
    const seen: Array<{ text: string; buffer: ArrayBufferLike }> = [];
    routeReads(socket, (chunk) => {
      seen.push({ text: chunk.toString(), buffer: chunk.buffer });
      return false;
    });
    for (const text of ['one', 'two', 'three']) {
      peer.write(text);
      await eventually(() => seen.length > 0 && seen.map((read) => read.text).join('') .endsWith(text), `read of ${text}`);
    }
    expect(seen.map((read) => read.text).join('')).toBe('onetwothree');
    expect(viaData).toEqual([]);
    expect(new Set(seen.map((read) => read.buffer)).size).toBe(1);
  });

  it('gives the next read a new buffer when the consumer still holds a chunk, leaving the held bytes intact', async () => {
    const { peer, socket, close } = await serverAndClient();
    cleanup = close;
    const held: Buffer[] = [];
    routeReads(socket, (chunk) => {
      held.push(chunk);
      return true;
    });
    for (const text of ['alpha', 'beta', 'gamma']) {
      peer.write(text);
      await eventually(() => held.map((chunk) => chunk.toString()).join('').endsWith(text), `read of ${text}`);
    }
    expect(held.map((chunk) => chunk.toString()).join('')).toBe('alphabetagamma');
    expect(new Set(held.map((chunk) => chunk.buffer)).size).toBe(held.length);
  });

  it('still pauses and resumes: a paused socket delivers nothing until resumed', async () => {
    const { peer, socket, close } = await serverAndClient();
    cleanup = close;
    const seen: string[] = [];
    routeReads(socket, (chunk) => {
      seen.push(chunk.toString());
      return false;
    });
    socket.resume();
    peer.write('before');
    await eventually(() => seen.join('') === 'before', 'the read before pausing');
    socket.pause();
    peer.write('later');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.join('')).toBe('before');
    socket.resume();
    await eventually(() => seen.join('') === 'beforelater', 'the read after resuming');
  });
});
