/**
 * aedes has no maximum packet size: a client can announce a 256 MB PUBLISH and the parser
 * buffers it. This pass-through stream reads only MQTT fixed headers (type byte + remaining
 * length varint, [MQTT-2.2.3]) and fails as soon as a header announces more than the cap,
 * before the body is buffered anywhere.
 */
import { Transform, type TransformCallback } from 'node:stream';

export class PacketTooLargeError extends Error {
  override readonly name = 'PacketTooLargeError';
  readonly code = 'MQTT_PACKET_TOO_LARGE';
}

export class PacketSizeGuard extends Transform {
  /** Bytes of the current packet body still to pass, or -1 while reading a header. */
  private remaining = -1;
  private headerByteSeen = false;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;

  constructor(private readonly maxPacketBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const step = Math.min(this.remaining, chunk.length - i);
        this.remaining -= step;
        i += step;
        if (this.remaining === 0) this.resetHeader();
        continue;
      }
      const byte = chunk[i++] as number;
      if (!this.headerByteSeen) {
        this.headerByteSeen = true;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (this.length > this.maxPacketBytes) {
        callback(new PacketTooLargeError(`packet of ${this.length}+ bytes exceeds ${this.maxPacketBytes}`));
        return;
      }
      if ((byte & 0x80) === 0) {
        this.remaining = this.length;
        if (this.remaining === 0) this.resetHeader();
      } else if (this.lengthBytes >= 4) {
        callback(new PacketTooLargeError('malformed remaining length'));
        return;
      }
    }
    callback(null, chunk);
  }

  private resetHeader(): void {
    this.remaining = -1;
    this.headerByteSeen = false;
    this.length = 0;
    this.multiplier = 1;
    this.lengthBytes = 0;
  }
}
