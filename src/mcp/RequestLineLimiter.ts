import { Transform, type TransformCallback } from 'node:stream';

/** What is known of a request line that was too long to read. */
export interface OversizedLine {
  bytes: number;
  /** The JSON-RPC id, when it could be found at the line's start or end; null otherwise. */
  id: string | number | null;
  /** True when the line's start says it is a tools/call. */
  toolCall: boolean;
}

/** Bytes of an oversized line's start and end kept to find its id and method. */
const EDGE_BYTES = 512;

/**
 * Passes stdin to the MCP transport one whole line at a time, and drops any line longer than
 * `maxBytes`, reporting it instead. The SDK's stdio transport closes the session when its read
 * buffer overflows; with this in front, one oversized request gets an error and the session goes on.
 */
export class RequestLineLimiter extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set while skipping the rest of an oversized line: its start, its latest end, its length so far. */
  private dropping: { head: Buffer; tail: Buffer; bytes: number } | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly onOversized: (line: OversizedLine) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      this.acceptPiece(chunk.subarray(start, end), newline !== -1);
      start = end;
    }
    callback();
  }

  private acceptPiece(piece: Buffer, endsLine: boolean): void {
    if (this.dropping) {
      const d = this.dropping;
      d.bytes += piece.length;
      d.tail = Buffer.concat([d.tail, piece]).subarray(-EDGE_BYTES);
    } else if (this.pendingBytes + piece.length > this.maxBytes + 1) {
      const all = Buffer.concat([...this.pending, piece]);
      this.dropping = { head: all.subarray(0, EDGE_BYTES), tail: all.subarray(-EDGE_BYTES), bytes: all.length };
      this.pending = [];
      this.pendingBytes = 0;
    } else {
      this.pending.push(piece);
      this.pendingBytes += piece.length;
    }
    if (!endsLine) return;
    if (this.dropping) {
      const { head, tail, bytes } = this.dropping;
      this.dropping = undefined;
      this.onOversized({ bytes, ...describeLine(head.toString('utf8'), tail.toString('utf8')) });
      return;
    }
    this.push(this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

const ID_VALUE = String.raw`(-?\d+|"(?:[^"\\]|\\.){0,100}")`;
/** `{"jsonrpc":"2.0","id":3,...` or `{"id":3,...`: the id among the first members. */
const ID_AT_START = new RegExp(String.raw`^\s*\{(?:\s*"(?:jsonrpc|method)"\s*:\s*"[^"]*"\s*,)*\s*"id"\s*:\s*${ID_VALUE}`);
/** `...,"jsonrpc":"2.0","id":3}`: the SDK client puts the id last. */
const ID_AT_END = new RegExp(String.raw`"id"\s*:\s*${ID_VALUE}\s*(?:,\s*"jsonrpc"\s*:\s*"[^"]*"\s*)?\}\s*$`);
const TOOL_CALL_AT_START = /^\s*\{(?:\s*"(?:jsonrpc|id)"\s*:\s*(?:"[^"]*"|-?\d+)\s*,)*\s*"method"\s*:\s*"tools\/call"/;

function describeLine(head: string, tail: string): { id: string | number | null; toolCall: boolean } {
  const match = ID_AT_START.exec(head) ?? ID_AT_END.exec(tail);
  return { id: match ? (JSON.parse(match[1]!) as string | number) : null, toolCall: TOOL_CALL_AT_START.test(head) };
}
