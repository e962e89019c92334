/**
 * MQTT over TLS: the optional mqtts listener (`mqtt.tls`) and WSS on the HTTPS server
 * (`http.tls`), with a self-signed certificate made by openssl at test time. Real clients
 * with the CA connect and publish; a plain client gets nothing out of the TLS port, and a
 * client that does not trust the certificate is refused.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/main.js';
import { crossing, SECRETS, startSecureGateway } from '../support/secure-gateway.js';
import { tempDir } from '../support/tmp.js';

describe('MQTT over TLS (mqtts and wss)', () => {
  const dir = tempDir();
  let gateway: RunningGateway;
  let ca: Buffer;
  const cert = join(dir.path, 'cert.pem');
  const key = join(dir.path, 'key.pem');

  beforeAll(async () => {
    // A self-signed certificate for 127.0.0.1 that is its own CA.
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=store-gateway-test'],
        ...['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(cert);
    gateway = await startSecureGateway({
      dataDir: dir.path,
      mqttExtra: `  tls: { port: 0, certFile: ${cert}, keyFile: ${key} }`,
      httpExtra: `  tls: { certFile: ${cert}, keyFile: ${key} }`,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    dir.remove();
  });

  const door = (n: number) => ({
    clientId: `door-${n}`,
    username: `door-${n}`,
    password: SECRETS[`door-${n}` as 'door-1' | 'door-2'],
    protocolVersion: 4 as const,
    reconnectPeriod: 0,
    connectTimeout: 3000,
  });

  it('accepts mqtts:// with the CA and journals a QoS1 publish made over it', async () => {
    const tlsPort = gateway.broker.tlsPort;
    expect(tlsPort).toBeGreaterThan(0);
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${tlsPort}`, { ...door(1), ca });
    await client.publishAsync('retail/s001/door/door-1/event', crossing('tls-1'), { qos: 1 });
    expect(gateway.db.prepare("SELECT device FROM journal WHERE msg_id = 'tls-1'").get()).toEqual({ device: 'door-1' });
    await client.endAsync();
  });

  it('accepts wss://…/mqtt on the HTTPS port with the CA', async () => {
    const client = await mqtt.connectAsync(`wss://127.0.0.1:${gateway.httpPort}/mqtt`, { ...door(2), ca });
    await client.publishAsync('retail/s001/door/door-2/event', crossing('wss-1'), { qos: 1 });
    expect(gateway.db.prepare("SELECT device FROM journal WHERE msg_id = 'wss-1'").get()).toEqual({ device: 'door-2' });
    await client.endAsync();
    // The API is HTTPS too (fetch here does not know the CA, so a plain-HTTP request must fail instead).
    await expect(fetch(`http://127.0.0.1:${gateway.httpPort}/healthz`)).rejects.toThrow();
  });

  it('refuses a client that does not trust the certificate, and gives a plain MQTT client no CONNACK', async () => {
    const untrusted = await new Promise<string>((resolve) => {
      const client = mqtt.connect(`mqtts://127.0.0.1:${gateway.broker.tlsPort}`, door(1));
      client.once('connect', () => resolve('connected'));
      client.once('error', (err) => resolve(err.message));
      client.once('close', () => resolve('closed'));
    });
    expect(untrusted).toMatch(/self.signed|certificate/i);

    // A plain CONNECT on the TLS port: the server answers with a TLS alert (or nothing), never a CONNACK.
    const reply = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      const body = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x01, 0x70]);
      const socket = tcpConnect(gateway.broker.tlsPort ?? 0, '127.0.0.1', () =>
        socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body])),
      );
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(chunks)));
      setTimeout(() => socket.destroy(), 2000);
    });
    expect(reply[0]).not.toBe(0x20);
    const plain = await new Promise<string>((resolve) => {
      const client = mqtt.connect(`mqtt://127.0.0.1:${gateway.broker.tlsPort}`, { ...door(1), connectTimeout: 1500 });
      client.once('connect', () => resolve('connected'));
      client.once('error', () => resolve('refused'));
      client.once('close', () => resolve('refused'));
    });
    expect(plain).toBe('refused');
  });

  it('serves mosquitto_pub over TLS with --cafile', async () => {
    // Async: the gateway runs in this process, a sync spawn would block its event loop.
    const { stderr } = await promisify(execFile)(
      'mosquitto_pub',
      [
        ...['-h', '127.0.0.1', '-p', String(gateway.broker.tlsPort), '-V', 'mqttv311', '--cafile', cert],
        ...['-i', 'door-1', '-u', 'door-1', '-P', SECRETS['door-1'], '-q', '1'],
        ...['-t', 'retail/s001/door/door-1/event', '-m', crossing('mosq-tls-1')],
      ],
      { timeout: 10_000 },
    );
    expect(stderr).toBe('');
    expect(gateway.db.prepare("SELECT device FROM journal WHERE msg_id = 'mosq-tls-1'").get()).toEqual({
      device: 'door-1',
    });
  });
});
