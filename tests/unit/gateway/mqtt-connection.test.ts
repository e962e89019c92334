import { connect, createServer, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttConnection } from '../../../gateway/pipeline/broker/mqtt-connection.js';

/** A real loopback TCP pair: `socket` is the gateway's end, `peer` the device's. */
async function tcpPair(): Promise<{ server: Server; socket: Socket; peer: Socket }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  const peer = connect(address.port, '127.0.0.1');
  const socket = await accepted;
  return { server, socket, peer };
}

const open: { server: Server; socket: Socket; peer: Socket }[] = [];
afterEach(async () => {
  for (const pair of open.splice(0)) {
    pair.peer.destroy();
    pair.socket.destroy();
    await new Promise((resolve) => pair.server.close(resolve));
  }
});

async function connection(): Promise<{ conn: MqttConnection; socket: Socket; peer: Socket; source: PassThrough }> {
  const pair = await tcpPair();
  open.push(pair);
  const source = new PassThrough();
  pair.socket.pipe(source);
  return { conn: new MqttConnection(pair.socket, source), socket: pair.socket, peer: pair.peer, source };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MqttConnection', () => {
  it('sends what aedes writes in one loop (250 PUBACKs, three chunks each) as one socket write, in order', async () => {
    const { conn, socket, peer } = await connection();
    const writes: number[] = [];
    const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
    socket.write = ((chunk: Buffer) => {
      writes.push(chunk.length);
      return write(chunk);
    }) as typeof socket.write;
    const parser = mqttPacket.parser();
    const acked: number[] = [];
    parser.on('packet', (packet) => {
      if (packet.cmd === 'puback' && packet.messageId !== undefined) acked.push(packet.messageId);
    });
    peer.on('data', (data: Buffer) => parser.parse(data));

    for (let id = 1; id <= 250; id++) mqttPacket.writeToStream({ cmd: 'puback', messageId: id }, conn);
    await tick();
    expect(writes).toEqual([1000]);
    await expect.poll(() => acked.length).toBe(250);
    expect(acked).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
  });

  it('passes on what the socket receives, through its source', async () => {
    const { conn, peer } = await connection();
    const received: Buffer[] = [];
    conn.on('data', (chunk: Buffer) => received.push(chunk));
    peer.write(Buffer.from([0xc0, 0x00]));
    await expect.poll(() => Buffer.concat(received).equals(Buffer.from([0xc0, 0x00]))).toBe(true);
  });

  it('holds a write until the socket drains while the peer does not read', async () => {
    const { conn, peer } = await connection();
    peer.pause();
    let written = false;
    // Far more than loopback's socket buffers hold.
    conn.write(Buffer.alloc(32 * 1024 * 1024), () => {
      written = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(written).toBe(false);
    peer.resume();
    await expect.poll(() => written, { timeout: 10_000 }).toBe(true);
  });

  it('closes when the peer goes away, and closes the socket when destroyed', async () => {
    const first = await connection();
    const closed = new Promise((resolve) => first.conn.once('close', resolve));
    first.peer.destroy();
    await closed;
    expect(first.conn.destroyed).toBe(true);

    const second = await connection();
    const socketClosed = new Promise((resolve) => second.socket.once('close', resolve));
    second.conn.destroy();
    await socketClosed;
    expect(second.socket.destroyed).toBe(true);
  });

  it('fails with its source (the packet-size guard refusing a header)', async () => {
    const { conn, source, socket } = await connection();
    const failed = new Promise<Error>((resolve) => conn.once('error', resolve));
    source.destroy(new Error('packet of 300000+ bytes exceeds 262144'));
    expect((await failed).message).toContain('exceeds');
    await expect.poll(() => socket.destroyed).toBe(true);
  });
});
