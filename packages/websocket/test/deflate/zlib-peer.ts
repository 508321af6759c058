/**
 * The other end of a permessage-deflate connection as browsers and `ws` implement it: one
 * long-lived zlib stream per direction, flushed with Z_SYNC_FLUSH after each message. Tests use
 * it to make what a client sends (with context takeover) and to check that what the server
 * sends inflates at such a client — an implementation independent of the one under test.
 */
import { constants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** Feeds `input` to a long-lived zlib stream and collects what one Z_SYNC_FLUSH gives back. */
function through(stream: DeflateRaw | InflateRaw, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (c: Buffer): void => {
      chunks.push(c);
    };
    stream.on('data', onData);
    stream.once('error', reject);
    stream.write(input);
    stream.flush(constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', reject);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** A client's compressor: each message compressed with the history of the earlier ones, tail stripped. */
export class PeerDeflater {
  private stream: DeflateRaw;
  constructor(
    private readonly options: { windowBits?: number; level?: number; noContextTakeover?: boolean } = {},
  ) {
    this.stream = this.open();
  }

  async deflate(message: Buffer | string): Promise<Buffer> {
    const out = await through(this.stream, Buffer.from(message));
    if (this.options.noContextTakeover === true) {
      this.stream.close();
      this.stream = this.open();
    }
    if (!out.subarray(-4).equals(TAIL)) throw new Error('no sync flush tail');
    return out.subarray(0, out.length - 4);
  }

  close(): void {
    this.stream.close();
  }

  private open(): DeflateRaw {
    return createDeflateRaw({ windowBits: this.options.windowBits ?? 15, level: this.options.level ?? 6 });
  }
}

/** A client's decompressor with context takeover: inflates successive messages of one stream. */
export class PeerInflater {
  private readonly stream: InflateRaw;
  constructor(windowBits = 15) {
    this.stream = createInflateRaw({ windowBits });
  }

  inflate(payload: Buffer): Promise<Buffer> {
    return through(this.stream, Buffer.concat([payload, TAIL]));
  }

  close(): void {
    this.stream.close();
  }
}
