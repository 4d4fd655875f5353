/**
 * One tap event as one line of JSON, the format `wslab proxy --tap` prints.
 *
 * Frame events are nearly all of a busy tunnel's events, and `JSON.stringify` walks each one's
 * nested object generically (about 0.55 µs for a 64-byte text frame against 0.2 µs here). So a
 * frame event is written by a template in the order its object is built (tunnel, then the
 * connection's stamp), which makes the text identical to `JSON.stringify`'s; tests hold the two
 * equal over the frame parser's real output. Every other event is rare and takes the general path.
 */
import type { TapEvent, TappedFrame } from './tap-events.ts';

type FrameEvent = Extract<TapEvent, { type: 'frame' }>;

export function tapEventJson(event: TapEvent): string {
  return event.type === 'frame' ? frameEventJson(event) : JSON.stringify(event);
}

function frameEventJson(event: FrameEvent): string {
  return `{"type":"frame","direction":${JSON.stringify(event.direction)},"frame":${frameJson(event.frame)},"connection":${numberJson(event.connection)},"time":${numberJson(event.time)}}`;
}

function frameJson(frame: TappedFrame): string {
  const [rsv1, rsv2, rsv3] = frame.rsv;
  let text = `{"fin":${frame.fin},"rsv":[${rsv1},${rsv2},${rsv3}],"opcode":${numberJson(frame.opcode)},"opcodeName":${JSON.stringify(frame.opcodeName)},"masked":${frame.masked},"payloadLength":${numberJson(frame.payloadLength)},"preview":${JSON.stringify(frame.preview)},"previewEncoding":${JSON.stringify(frame.previewEncoding)}`;
  if (frame.closeCode !== undefined) text += `,"closeCode":${numberJson(frame.closeCode)}`;
  if (frame.closeReason !== undefined) text += `,"closeReason":${JSON.stringify(frame.closeReason)}`;
  return `${text}}`;
}

/** JSON has no NaN or Infinity; like JSON.stringify, write null for them. */
function numberJson(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
