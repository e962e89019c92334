/** Upstream failures: named, with a stable code and the cause. */

export class UpstreamConfigError extends Error {
  override readonly name = 'UpstreamConfigError';
  readonly code = 'UPSTREAM_CONFIG';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A message that could never be published (too large for NATS); refused at enqueue time. */
export class OutboxMessageTooLargeError extends Error {
  override readonly name = 'OutboxMessageTooLargeError';
  readonly code = 'OUTBOX_MESSAGE_TOO_LARGE';
  constructor(
    readonly msgId: string,
    readonly bytes: number,
  ) {
    super(`upstream message ${msgId} is ${bytes} bytes, above the outbox limit`);
  }
}

export class StoreSecretError extends Error {
  override readonly name = 'StoreSecretError';
  readonly code = 'STORE_SECRET';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
