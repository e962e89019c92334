/**
 * TLS material for the mqtts listener and the HTTPS/WSS server, read once at start so a
 * missing or unreadable file fails the boot with the setting's name instead of at the
 * first handshake.
 */
import { readFileSync } from 'node:fs';

export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
  readonly code = 'TLS_CONFIG_INVALID';
}

export function readTlsFiles(
  setting: string,
  files: { readonly certFile: string; readonly keyFile: string; readonly caFile?: string },
): { cert: Buffer; key: Buffer; ca?: Buffer } {
  const read = (key: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new TlsConfigError(`${setting}.${key}: cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  };
  return {
    cert: read('certFile', files.certFile),
    key: read('keyFile', files.keyFile),
    ...(files.caFile !== undefined ? { ca: read('caFile', files.caFile) } : {}),
  };
}
