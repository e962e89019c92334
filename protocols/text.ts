/**
 * The UTF-8 text of a payload without copying it: MQTT payloads arrive as Buffers (or views
 * into a socket read), and `Buffer.from(uint8array)` would copy every message first.
 */
export function utf8Text(bytes: Uint8Array): string {
  if (Buffer.isBuffer(bytes)) return bytes.toString('utf8');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
