import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PacketSizeGuard, PacketTooLargeError } from '../../../gateway/pipeline/broker/packet-size-guard.js';

/** An MQTT PUBLISH-like frame: fixed header 0x30, remaining-length varint, body. */
function frame(bodyLength: number): Buffer {
  const len: number[] = [];
  let x = bodyLength;
  do {
    let byte = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) byte |= 0x80;
    len.push(byte);
  } while (x > 0);
  return Buffer.concat([Buffer.from([0x30, ...len]), Buffer.alloc(bodyLength, 0x61)]);
}

async function pass(chunks: Buffer[], cap: number): Promise<Buffer> {
  const guard = new PacketSizeGuard(cap);
  const out: Buffer[] = [];
  guard.on('data', (c: Buffer) => out.push(c));
  await new Promise<void>((resolve, reject) => {
    guard.on('end', resolve);
    guard.on('error', reject);
    Readable.from(chunks).pipe(guard);
  });
  return Buffer.concat(out);
}

describe('PacketSizeGuard', () => {
  it('passes packets under the cap through unchanged, whatever the chunking', async () => {
    const stream = Buffer.concat([frame(0), frame(10), frame(127), frame(128), frame(16_383), frame(16_384)]);
    for (const size of [1, 2, 3, 7, 1000, stream.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.subarray(i, i + size));
      expect((await pass(chunks, 20_000)).equals(stream)).toBe(true);
    }
  });

  it('fails on the header of a packet over the cap, before its body arrives', async () => {
    const header = frame(300_000).subarray(0, 4);
    await expect(pass([frame(10), header], 256 * 1024)).rejects.toBeInstanceOf(PacketTooLargeError);
  });

  it('fails on a remaining length longer than four bytes', async () => {
    await expect(pass([Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01])], 1 << 30)).rejects.toBeInstanceOf(
      PacketTooLargeError,
    );
  });
});
