/**
 * The stream aedes reads and writes one MQTT connection through: the socket's bytes after
 * the packet-size guard, and writes to the socket.
 *
 * It replaces `Duplex.from({ readable: guard, writable: socket })`, which handed the socket
 * every chunk on its own. mqtt-packet writes a PUBACK as three chunks (type, length, id), so
 * the PUBACKs of one 250-message commit reached the kernel as a writev of 750 buffers, each
 * buffered twice on the way. mqtt-packet corks this stream per packet and uncorks it a
 * nextTick later, so everything aedes writes in one synchronous loop (a commit acknowledging
 * its batch) arrives here in one `_writev` and leaves as one buffer in one socket write.
 */

import type { Socket } from 'node:net';
import { Duplex, type Readable } from 'node:stream';

type WriteDone = (error?: Error | null) => void;

export class MqttConnection extends Duplex {
  /** The write callback waiting for the socket's 'drain' (backpressure towards aedes). */
  private waitingForDrain: WriteDone | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly source: Readable,
  ) {
    super();
    source.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) source.pause();
    });
    source.once('end', () => this.push(null));
    source.on('error', (err) => this.destroy(err));
    socket.on('error', (err) => this.destroy(err));
    socket.once('close', () => this.destroy());
    socket.on('drain', () => {
      const done = this.waitingForDrain;
      this.waitingForDrain = undefined;
      done?.();
    });
  }

  override _read(): void {
    this.source.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: WriteDone): void {
    this.send(chunk, done);
  }

  override _writev(chunks: { chunk: Buffer }[], done: WriteDone): void {
    const buffers: Buffer[] = new Array(chunks.length);
    for (let i = 0; i < chunks.length; i++) buffers[i] = (chunks[i] as { chunk: Buffer }).chunk;
    this.send(Buffer.concat(buffers), done);
  }

  override _final(done: WriteDone): void {
    this.socket.end();
    done();
  }

  override _destroy(err: Error | null, done: WriteDone): void {
    this.waitingForDrain = undefined;
    this.socket.destroy();
    this.source.destroy();
    done(err);
  }

  private send(buffer: Buffer, done: WriteDone): void {
    if (this.socket.write(buffer)) done();
    else this.waitingForDrain = done;
  }
}
