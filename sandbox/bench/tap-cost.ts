/**
 * What the traffic tap costs per frame, without sockets: the chunks `wslab proxy` relays in the
 * throughput benchmark are fed to the tunnel's frame parser and turned into tap events the way
 * client-connection.ts and `wslab proxy --tap` do (spread into an event, JSON line, written to
 * /dev/null). Each stage is timed separately, in rounds that alternate between parsers, so a
 * patched parser can be compared with the current one on a noisy machine. The JSON stages are
 * measured both with `JSON.stringify` and with the CLI's own serializer (tap-event-json.ts), and
 * the last stage is the CLI's line writer itself:
 *
 *   node sandbox/bench/tap-cost.ts
 *   node sandbox/bench/tap-cost.ts --compare /path/to/patched/frame-parser.ts
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createTapLineWriter } from '../cli/tap-line-writer.ts';
import { tapEventJson } from '../engine/tap-event-json.ts';
import type { TapEvent } from '../engine/tap-events.ts';
import { encodeFrame } from '../engine/websocket/frame-encoder.ts';
import { WebSocketFrameParser } from '../engine/websocket/frame-parser.ts';
import type { FrameParserOutput } from '../engine/websocket/frame-parser.ts';
import { formatNumber, median, parseOptions, table } from './bench-support.ts';

const USAGE = `usage: node sandbox/bench/tap-cost.ts [--rounds N] [--ms MS] [--compare PARSER.ts]
  --rounds N        rounds per parser and stage (default 5)
  --ms MS           CPU milliseconds per measurement (default 300)
  --compare FILE    a second frame-parser module (exporting WebSocketFrameParser) measured alongside`;
const options = parseOptions(process.argv.slice(2), { rounds: 5, ms: 300, compare: '' }, USAGE);

interface Parser {
  push(chunk: Uint8Array): FrameParserOutput[];
}
type ParserFactory = (sender: 'client' | 'server') => Parser;

interface Workload {
  name: string;
  sender: 'client' | 'server';
  /** The byte stream, cut into the chunks a socket read would deliver. */
  chunks: Uint8Array[];
  frames: number;
}

/** `count` copies of a frame, concatenated and cut into `chunkSize` reads. */
function workload(name: string, sender: 'client' | 'server', frame: Uint8Array, count: number, chunkSize: number): Workload {
  const stream = new Uint8Array(frame.length * count);
  for (let index = 0; index < count; index++) stream.set(frame, index * frame.length);
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < stream.length; offset += chunkSize) chunks.push(Buffer.from(stream.subarray(offset, offset + chunkSize)));
  return { name, sender, chunks, frames: count };
}

const key = new Uint8Array([0x12, 0x34, 0x56, 0x78]);
const small = 'x'.repeat(64);
const binary = new Uint8Array(16 * 1024).fill(0xa5);
// 16 frames per read for small messages (the benchmark's window), 64 KiB reads for large ones.
const WORKLOADS: Workload[] = [
  workload('64 B text, masked (client->backend)', 'client', encodeFrame({ opcode: 1, payload: small, maskingKey: key }), 16 * 64, 16 * 70),
  workload('70 B text, unmasked (backend->client)', 'server', encodeFrame({ opcode: 1, payload: `Echo: ${small}` }), 16 * 64, 16 * 72),
  workload('16 KiB binary, masked (client->backend)', 'client', encodeFrame({ opcode: 2, payload: binary, maskingKey: key }), 64, 65536),
  workload('16 KiB binary, unmasked (backend->client)', 'server', encodeFrame({ opcode: 2, payload: binary }), 64, 65536),
  workload('16 KiB text, masked (client->backend)', 'client', encodeFrame({ opcode: 1, payload: 'y'.repeat(16 * 1024), maskingKey: key }), 64, 65536),
];

type Stage = 'parse' | 'parse+JSON.stringify' | 'parse+JSON.stringify+write per read' | 'parse+tapEventJson' | 'parse+wslab proxy --tap writer';
const STAGES: Stage[] = ['parse', 'parse+JSON.stringify', 'parse+JSON.stringify+write per read', 'parse+tapEventJson', 'parse+wslab proxy --tap writer'];

const devNull = openSync('/dev/null', 'w');
process.once('exit', () => closeSync(devNull));

/**
 * CPU nanoseconds per frame for one parser, workload and stage. CPU time rather than wall time:
 * other processes taking the core stretch the wall clock, not (much) the CPU time used here.
 */
function measure(factory: ParserFactory, load: Workload, stage: Stage): number {
  let frames = 0;
  let connection = 0;
  const start = process.cpuUsage();
  const cpuMicros = () => {
    const used = process.cpuUsage(start);
    return used.user + used.system;
  };
  // The CLI's writer, as `wslab proxy --tap` runs it; in this busy loop its timers never get to
  // run, so it writes whenever 64 KiB are gathered, as it does under load.
  const writer = createTapLineWriter({ write: (text) => writeSync(devNull, text) });
  while (cpuMicros() < options.ms * 1000) {
    const parser = factory(load.sender);
    connection += 1;
    let batch = '';
    for (const chunk of load.chunks) {
      for (const output of parser.push(chunk)) {
        frames += 1;
        if (stage === 'parse') continue;
        // client-connection.ts: runtime.tap({ ...event, connection, time: Date.now() })
        const event = (
          output.type === 'frame'
            ? { type: 'frame', direction: 'client->backend', frame: output.frame, connection, time: Date.now() }
            : { type: 'frame-error', direction: 'client->backend', code: output.code, message: output.message, connection, time: Date.now() }
        ) as TapEvent;
        if (stage === 'parse+wslab proxy --tap writer') writer.event(event);
        else if (stage === 'parse+tapEventJson') batch = `${tapEventJson(event)}\n`;
        else if (stage === 'parse+JSON.stringify') batch = `${JSON.stringify(event)}\n`;
        else batch += `${JSON.stringify(event)}\n`;
      }
      if (stage === 'parse+JSON.stringify+write per read' && batch !== '') writeSync(devNull, batch);
      batch = '';
    }
  }
  writer.flush();
  return (cpuMicros() * 1e3) / frames;
}

async function main(): Promise<void> {
  const parsers: Array<{ name: string; factory: ParserFactory }> = [
    { name: 'current', factory: (sender) => new WebSocketFrameParser({ sender }) },
  ];
  if (options.compare !== '') {
    const module = (await import(pathToFileURL(options.compare).href)) as { WebSocketFrameParser: new (o: { sender: 'client' | 'server' }) => Parser };
    parsers.push({ name: 'compared', factory: (sender) => new module.WebSocketFrameParser({ sender }) });
  }
  // Sanity: every parser sees every frame and no error.
  for (const { name, factory } of parsers) {
    for (const load of WORKLOADS) {
      const parser = factory(load.sender);
      const outputs = load.chunks.flatMap((chunk) => parser.push(chunk));
      if (outputs.length !== load.frames || outputs.some((output) => output.type !== 'frame')) throw new Error(`${name} parser: ${load.name}: ${outputs.length} outputs for ${load.frames} frames`);
    }
  }
  console.log(`tap cost per frame in CPU time, ${options.rounds} rounds of ${options.ms} ms of CPU, median (${process.version})`);
  const results = new Map<string, number[]>();
  for (let round = 0; round < options.rounds; round++) {
    for (const load of WORKLOADS) {
      for (const stage of STAGES) {
        for (const parser of round % 2 === 0 ? parsers : [...parsers].reverse()) {
          const id = `${load.name}|${stage}|${parser.name}`;
          results.set(id, [...(results.get(id) ?? []), measure(parser.factory, load, stage)]);
        }
      }
    }
  }
  const rows: string[][] = [];
  for (const load of WORKLOADS) {
    for (const stage of STAGES) {
      const cells = parsers.map((parser) => median(results.get(`${load.name}|${stage}|${parser.name}`) ?? []));
      rows.push([`${load.name}  ${stage}`, ...cells.map((ns) => formatNumber(ns)), ...(parsers.length > 1 ? [formatNumber(cells[0] / cells[1], 2)] : [])]);
    }
  }
  console.log(table(['workload  stage', ...parsers.map((parser) => `${parser.name} ns/frame`), ...(parsers.length > 1 ? ['speed-up'] : [])], rows));
  console.log("(stages: the parser alone; plus each frame's JSON line by JSON.stringify, then written to /dev/null once per read (the CLI until Nov 2026); plus the line by tapEventJson; plus the CLI's line writer, which writes every 64 KiB under load)");
}

await main();
