/** The few error classes drivers raise, each with a stable `code` (STYLE "Errors"). */

export type DeviceErrorCode =
  | 'device-config'
  | 'source-state'
  | 'serial-not-open'
  | 'serial-write'
  | 'serial-open'
  | 'reader-timeout'
  | 'reader-error'
  | 'gpio-unavailable'
  | 'stream-stalled'
  | 'stream-http-status'
  | 'stream-ended';

export class DeviceError extends Error {
  override readonly name: string = 'DeviceError';
  readonly code: DeviceErrorCode;

  constructor(code: DeviceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The device config cannot be run (e.g. an antenna number the reader cannot select). */
export class DriverConfigError extends DeviceError {
  override readonly name = 'DriverConfigError';
  constructor(message: string) {
    super('device-config', message);
  }
}

/** start() called twice, or after stop(): a Source is single use. */
export class SourceStateError extends DeviceError {
  override readonly name = 'SourceStateError';
  constructor(message: string) {
    super('source-state', message);
  }
}

export class SerialLinkError extends DeviceError {
  override readonly name = 'SerialLinkError';
}

export class ReaderError extends DeviceError {
  override readonly name = 'ReaderError';
}

export class GpioUnavailableError extends DeviceError {
  override readonly name = 'GpioUnavailableError';
  readonly pin: number;
  constructor(pin: number, message: string, options?: { cause?: unknown }) {
    super('gpio-unavailable', message, options);
    this.pin = pin;
  }
}

export class StreamError extends DeviceError {
  override readonly name = 'StreamError';
}
