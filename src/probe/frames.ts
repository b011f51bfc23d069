/**
 * Pure: the few WebSocket frames a probe needs (RFC 6455 §5). A client masks every frame it sends
 * (§5.3); a server never masks (§5.1). No extensions are offered, so no RSV bit may be set (§5.2).
 */

/** RFC 6455 §5.2 and §11.8. */
export const opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export interface Frame {
  readonly fin: boolean;
  /** The three RSV bits, as a number 0-7. */
  readonly rsv: number;
  readonly opcode: number;
  readonly masked: boolean;
  readonly payload: Buffer;
}

/** A frame from the server breaks RFC 6455; the probe reports it instead of guessing. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
}

// A probe reads pongs, echoes and close frames; anything larger than this is not one of those.
const maxPayload = 16 * 1024 * 1024;

/** One client frame, FIN set, masked with `mask` (4 bytes; RFC 6455 §5.3 wants them unpredictable). */
export function encodeClientFrame(code: number, payload: Buffer, mask: Buffer): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const head = Buffer.alloc(2 + lengthBytes + 4);
  head[0] = 0x80 | code;
  // §5.2: 7-bit length, or 126 + 16-bit, or 127 + 64-bit; the mask bit is always set by a client.
  head[1] = 0x80 | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) head.writeUInt16BE(length, 2);
  if (lengthBytes === 8) head.writeBigUInt64BE(BigInt(length), 2);
  mask.copy(head, 2 + lengthBytes, 0, 4);
  const body = Buffer.alloc(length);
  for (let i = 0; i < length; i++) body[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([head, body]);
}

/** Splits the server's byte stream into frames; keeps an incomplete frame until the rest arrives. */
export class FrameParser {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      const frame = this.takeFrame();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  private takeFrame(): Frame | undefined {
    const data = this.pending;
    if (data.length < 2) return undefined;
    const first = data[0] as number;
    const second = data[1] as number;
    const masked = (second & 0x80) !== 0;
    let length = second & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (data.length < 4) return undefined;
      length = data.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (data.length < 10) return undefined;
      const long = data.readBigUInt64BE(2);
      if (long > BigInt(maxPayload)) throw new FrameError(`the server sent a frame of ${long} bytes`);
      length = Number(long);
      offset = 10;
    }
    if (length > maxPayload) throw new FrameError(`the server sent a frame of ${length} bytes`);
    const maskOffset = offset;
    if (masked) offset += 4;
    if (data.length < offset + length) return undefined;
    let payload = data.subarray(offset, offset + length);
    if (masked) {
      const mask = data.subarray(maskOffset, maskOffset + 4);
      payload = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)));
    }
    this.pending = data.subarray(offset + length);
    return { fin: (first & 0x80) !== 0, rsv: (first >> 4) & 0x7, opcode: first & 0x0f, masked, payload };
  }
}

/** What makes a server frame invalid for a client that negotiated no extension, or undefined. */
export function frameProblem(frame: Frame): string | undefined {
  // §5.1: "A client MUST close a connection if it detects a masked frame."
  if (frame.masked) return 'the server masked a frame, which only clients do (RFC 6455 §5.1)';
  // §5.2: RSV bits are for extensions; none was negotiated.
  if (frame.rsv !== 0) {
    return 'the server set RSV bits without a negotiated extension (RFC 6455 §5.2), as if it compressed frames nobody asked for';
  }
  if (![0x0, 0x1, 0x2, 0x8, 0x9, 0xa].includes(frame.opcode)) {
    return `the server sent reserved opcode 0x${frame.opcode.toString(16)} (RFC 6455 §5.2)`;
  }
  // §5.5: control frames are at most 125 bytes and never fragmented.
  if (frame.opcode >= 0x8 && (frame.payload.length > 125 || !frame.fin)) {
    return 'the server sent an oversized or fragmented control frame (RFC 6455 §5.5)';
  }
  return undefined;
}

/** A close frame's body: a 2-byte status code, then a UTF-8 reason (RFC 6455 §5.5.1). */
export function closePayload(code: number, reason = ''): Buffer {
  const body = Buffer.alloc(2);
  body.writeUInt16BE(code, 0);
  return Buffer.concat([body, Buffer.from(reason, 'utf8')]);
}

export interface CloseInfo {
  /** Absent when the close frame had no body (RFC 6455 §7.1.5: "no status code"). */
  readonly code: number | undefined;
  readonly reason: string;
}

export function parseClosePayload(payload: Buffer): CloseInfo {
  if (payload.length < 2) return { code: undefined, reason: '' };
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') };
}
