/**
 * Config keys for MQTT access control and transport security (docs/security.md "## MQTT").
 * Kept apart from schema.ts so the broker's security settings read in one place.
 */
import { Type } from 'typebox';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

/**
 * `mqtt.users`: staff phones/tablets, dashboards and integrations (not devices). `staff` may
 * subscribe to the store's alert topics, `dashboard` also to its live topics, `integration` to
 * anything under `retail/{store}/#` (alerts without the member profile); none may publish.
 * Usernames are unique across users and devices; passwords only as scrypt hashes.
 */
export const MqttUsers = Type.Array(
  Type.Object(
    {
      username: Type.String({ minLength: 1, maxLength: 64 }),
      passwordHash: Type.String({ pattern: '^scrypt\\$', maxLength: 256 }),
      role: Type.Union([Type.Literal('staff'), Type.Literal('dashboard'), Type.Literal('integration')]),
    },
    { additionalProperties: false },
  ),
  { maxItems: 1000 },
);

/** `mqtt.tls`: an MQTT-over-TLS listener (mqtts) beside the plain port. Paths are relative to the config file. */
export const MqttTls = Type.Object(
  {
    port: Port,
    certFile: Type.String({ minLength: 1 }),
    keyFile: Type.String({ minLength: 1 }),
    /** Intermediate/CA certificates sent with the server certificate (client certificates are not requested). */
    caFile: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

/** `mqtt.connectRate`: new connections per remote address, a token bucket (refill per second, bucket size). */
export const ConnectRate = Type.Object(
  {
    perSecond: Type.Number({ exclusiveMinimum: 0, maximum: 100_000 }),
    burst: Type.Integer({ minimum: 1, maximum: 100_000 }),
  },
  { additionalProperties: false },
);

/** `mqtt.maxQueuedMessages`: QoS1 messages kept per persistent session (clean=false); the oldest are dropped beyond. */
export const MaxQueuedMessages = Type.Integer({ minimum: 1, maximum: 1_000_000 });

/** `http.tls`: serve HTTPS (and MQTT over WSS at /mqtt) instead of plain HTTP. Paths relative to the config file. */
export const HttpTls = Type.Object(
  { certFile: Type.String({ minLength: 1 }), keyFile: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);

/** `mqtt.maxRetainedMessages`: retained messages the broker keeps (default 1000); a client's retained PUBLISH beyond is refused. */
export const MaxRetainedMessages = Type.Integer({ minimum: 1, maximum: 1_000_000 });

/** `mqtt.maxRetainedBytes`: total payload bytes of retained messages (default 16 MiB); beyond, refused. */
export const MaxRetainedBytes = Type.Integer({ minimum: 1024, maximum: 4 * 1024 * 1024 * 1024 });
