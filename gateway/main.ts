/**
 * The composition root: the one place that builds and wires the gateway.
 *
 *   devices ─► broker (aedes) ─► ingest ─► group commit ─► journal
 *                                              └─► derivation (correlate ─► facts, buckets)
 *                                                     └─► alerts, SSE, API
 *
 * First it builds every part (constructors only open the database and create the broker),
 * then it starts the services in order (gateway/services.ts) and, on stop or on a failed
 * start, stops them in reverse through the same path.
 */
// First: before anything loads aedes and mqtt-packet (see the module).
import './infra/quiet-debug.js';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { GpioPinFactory } from '../devices/index.js';
import { derivedWriters, openDerivedStores } from './derived-writers.js';
import { HttpAuth, RetentionJob } from './infra/auth/index.js';
import { type Clock, systemClock } from './infra/clock/index.js';
import type { GatewayConfig } from './infra/config/index.js';
import { DeviceRegistry } from './infra/health/registry.js';
import { GatewayMetrics } from './infra/metrics/index.js';
import { ReferenceData } from './infra/reference/index.js';
import { createStoreCalendar } from './infra/time/index.js';
import { createLogger, type Logger } from './log.js';
import { AssistDispatcher } from './outputs/alerts/assist-dispatcher.js';
import { AlertDispatcher } from './outputs/alerts/dispatcher.js';
import { AlertWebhook } from './outputs/alerts/webhook.js';
import { Upstream, upstreamRoutes } from './outputs/upstream/index.js';
import { EmbeddedBroker } from './pipeline/broker/broker.js';
import { readTlsFiles } from './pipeline/broker/tls.js';
import type { ReceiptIgnoredFact } from './pipeline/correlate/index.js';
import { BucketStore } from './pipeline/derive/buckets.js';
import { Derivation } from './pipeline/derive/index.js';
import { type CounterTiming, type DriverHost, Drivers } from './pipeline/drivers/drivers.js';
import { GroupCommit, Ingest } from './pipeline/ingest/index.js';
import { StorageHealth } from './pipeline/ingest/storage-health.js';
import { type Db, Journal, openDb, RejectedStore } from './pipeline/journal/index.js';
import { PortInUseError } from './ports.js';
import { assistRoutes } from './read/api/assist.js';
import { impinjWebhookRoutes } from './read/api/impinj.js';
import { invitationRoutes } from './read/api/invitations.js';
import { posRoutes } from './read/api/pos.js';
import { referenceRoutes } from './read/api/reference.js';
import { roomRoutes } from './read/api/rooms.js';
import { buildApi } from './read/api/server.js';
import { sseRoutes } from './read/api/sse.js';
import { findUiDir } from './read/api/static.js';
import { viewRoutes } from './read/api/views.js';
import { vipRoutes } from './read/api/vip.js';
import { LiveFeed } from './read/live/feed.js';
import { LiveFunnelPublisher } from './read/live/funnel-publisher.js';
import { AssistanceReporter } from './read/views/assistance.js';
import { LiveView } from './read/views/live.js';
import { ProductsView } from './read/views/products.js';
import { RoomsView } from './read/views/rooms.js';
import { StaffingView } from './read/views/staffing.js';
import { type Service, Services, stopOnly } from './services.js';
import { GATEWAY_VERSION } from './version.js';

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly clock?: Clock;
  /**
   * Real time for sign-in sessions and login rate limits, when `clock` is not (the demo's
   * clock runs a store day in minutes; a 12 h session must not end in 17 s). Default: `clock`.
   */
  readonly wallClock?: Clock;
  readonly log?: Logger;
  /** GPIO backend for beam counters (tests inject a double; default onoff). */
  readonly openPin?: GpioPinFactory;
  /** Network people counter timings (tests shorten them). */
  readonly counterTiming?: CounterTiming;
  /** How often the clock's passing is fed to correlation (ms of real time). */
  readonly tickEveryMs?: number;
}

export interface RunningGateway {
  readonly config: GatewayConfig;
  readonly mqttPort: number;
  readonly httpPort: number;
  readonly db: Db;
  readonly metrics: GatewayMetrics;
  readonly derivation: Derivation;
  readonly reference: ReferenceData;
  readonly feed: LiveFeed;
  readonly broker: EmbeddedBroker;
  readonly api: FastifyInstance;
  /** Input from outside MQTT (drivers, the API; the demo's backfilled history). */
  readonly ingest: Ingest;
  /** Stops accepting, commits what was received, acknowledges it, closes. Idempotent. */
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger();
  const metrics = new GatewayMetrics();

  if (!config.mqtt.allowAnonymous) {
    const unable = Object.entries(config.devices)
      .filter(([, d]) => d.transport === 'mqtt' && d.username === undefined)
      .map(([id]) => id);
    if (unable.length > 0) {
      log.warn(
        { component: 'gateway', devices: unable },
        'these MQTT devices have no credentials and mqtt.allowAnonymous is false: they cannot connect',
      );
    }
  }
  const calendar = createStoreCalendar(config.store.timezone);
  const db = openDb(config.dataDir);
  const journal = new Journal(db);
  const rejected = new RejectedStore(db);
  const reference = new ReferenceData(db);
  const derivedStores = openDerivedStores({ db, config, clock, reference });
  const { alerts, assistCards, invitations } = derivedStores;
  reference.onErase((ids) => alerts.erase(ids));
  // The device registry is created below; the upstream asks it only when reporting health.
  let devicesRef: DeviceRegistry | undefined;
  const upstream = Upstream.create({
    db,
    config,
    clock,
    log: log.child({ component: 'upstream' }),
    metrics,
    reference,
    version: GATEWAY_VERSION,
    devices: () => {
      const list = devicesRef?.list() ?? [];
      return { total: list.length, online: list.filter((d) => d.status === 'online').length };
    },
  });
  const derivation = Derivation.open({
    db,
    journal,
    config,
    clock,
    log: log.child({ component: 'derive' }),
    metrics,
    reference,
    writers: derivedWriters(derivedStores, metrics),
    upstream: upstream.scheduler,
  });
  const commit = new GroupCommit(db, journal, rejected, derivation, metrics);
  // A failed commit (disk full, locked database) is logged once per outage and keeps /readyz
  // not-ready until an input is durable again.
  const storage = new StorageHealth(log.child({ component: 'storage' }), metrics);
  commit.onFailure((err, retrying) => storage.failed(err, retrying));
  commit.observe(() => storage.committed());
  const ingest = new Ingest({ config, clock, log: log.child({ component: 'ingest' }), commit });
  const broker = await EmbeddedBroker.create({ config, log: log.child({ component: 'broker' }), metrics, ingest });

  // Read side: device health, the live feed (SSE) and the views.
  const devices = new DeviceRegistry(config, clock);
  devicesRef = devices;
  // An MQTT device's connection is its link: a dropped connection is offline at once
  // (what a last-will would announce), not only after the heartbeat timeout.
  broker.aedes.on('client', (client) => devices.setLink(client.id, { state: 'connected', reconnects: 0 }));
  broker.aedes.on('clientDisconnect', (client) => devices.setLink(client.id, { state: 'disconnected', reconnects: 0 }));
  devices.seed(db);
  commit.observe((summary) => devices.record(summary));
  const feed = new LiveFeed();
  const webhook = config.alerts.webhook
    ? new AlertWebhook({ ...config.alerts.webhook, campaigns: config.campaigns }, log.child({ component: 'webhook' }))
    : undefined;
  const dispatcher = new AlertDispatcher({
    storeId: config.store.id,
    alerts,
    feed,
    mqtt: broker,
    webhook,
    log: log.child({ component: 'alerts' }),
    realertAfterMs: config.correlation.realertAfterMs,
  });
  const assistDispatcher = new AssistDispatcher({
    storeId: config.store.id,
    cards: assistCards,
    feed,
    mqtt: broker,
    webhook,
    log: log.child({ component: 'alerts' }),
  });
  // A repeated receipt or a second refund/void of one: counted and logged with its till,
  // once (a rewind after late input derives the same fact again).
  const salesLog = log.child({ component: 'sales' });
  const ignoredSeen = new Set<string>();
  const receiptIgnored = (f: ReceiptIgnoredFact) => {
    const key = `${f.device}|${f.receipt}|${f.kind}|${f.ts}|${f.reason}`;
    if (ignoredSeen.has(key)) return;
    if (ignoredSeen.size >= 10_000) ignoredSeen.clear();
    ignoredSeen.add(key);
    metrics.receiptsIgnored.inc({ reason: f.reason });
    const fields = { device: f.device, receipt: f.receipt, kind: f.kind, reason: f.reason, adjustedBy: f.adjustedBy };
    if (f.reason === 'duplicate') salesLog.info(fields, 'receipt ignored');
    else salesLog.warn(fields, 'receipt ignored');
  };
  derivation.onFacts((facts, rewound) => {
    // Alerts first: they are the time-critical output.
    dispatcher.onFacts(facts);
    assistDispatcher.onFacts(facts);
    for (const fact of facts) if (fact.type === 'receipt.ignored') receiptIgnored(fact);
    // Not kept for replay (see LiveFeed): screens refetch on reconnect. After late input
    // recomputed a stretch of the day, one fact of each type tells screens what to refetch.
    for (const fact of rewound ? lastOfEachType(facts) : facts) feed.publish('fact', fact, { keep: false });
  });
  const driverHost: DriverHost = {
    config,
    ingest,
    clock,
    log: log.child({ component: 'driver' }),
    onStatus: (device, status) => {
      devices.setLink(device, status);
      feed.publish('device.link', { device, ...status });
    },
    ...(options.openPin ? { openPin: options.openPin } : {}),
    ...(options.counterTiming ? { counterTiming: options.counterTiming } : {}),
  };
  const drivers = new Drivers(driverHost);
  const buckets = new BucketStore(db);
  const live = new LiveView({ config, clock, calendar, buckets, state: () => derivation.state, reference });
  const funnelPublisher = new LiveFunnelPublisher({
    storeId: config.store.id,
    snapshot: () => live.snapshot(),
    mqtt: broker,
    log,
  });

  // Sign-in, roles, PII filtering and audit for /api/v1 (gateway/infra/auth); retention purges.
  const auth = new HttpAuth({
    config,
    db,
    clock: options.wallClock ?? clock,
    days: calendar,
    reference,
    log: log.child({ component: 'auth' }),
  });
  const retention = new RetentionJob({
    config,
    db,
    clock,
    reference,
    audit: auth.audit,
    purgeSessions: () => auth.purgeSessions(),
    log: log.child({ component: 'retention' }),
  });

  let listening = false;
  const api = await buildApi({
    log,
    registry: metrics.registry,
    uiDir: findUiDir(),
    notReadyReason: () => (listening ? (storage.notReadyReason() ?? derivation.notReadyReason()) : 'starting'),
    routes: [
      auth.routes(),
      viewRoutes({
        config,
        buckets,
        clock,
        calendar,
        live,
        devices,
        rejected,
        staffing: new StaffingView({
          db,
          buckets,
          calendar,
          now: () => clock.now(),
          occupancy: () => live.occupancy(),
          passageGapMs: config.correlation.staffWindowMs,
        }),
        upstream: () => upstream.status(),
      }),
      referenceRoutes(reference),
      sseRoutes(feed, '/stream', auth.feedView),
      vipRoutes({ alerts, dispatcher, clock, days: calendar }),
      assistRoutes({
        cards: assistCards,
        dispatcher: assistDispatcher,
        reporter: new AssistanceReporter(db, calendar, config.correlation.conversionWindowMs),
        clock,
        calendar,
      }),
      invitationRoutes({
        invitations,
        ingest,
        reference,
        clock,
        days: calendar,
        bounds: { earliestMs: config.correlation.invitationWindowMs, skewBoundMs: config.correlation.skewBoundMs },
      }),
      roomRoutes({
        clock,
        calendar,
        rooms: new RoomsView({ config, db, calendar, state: () => derivation.state }),
        products: new ProductsView(db, reference),
      }),
      // What is still to go to HQ includes revisions late input will make once applied.
      upstreamRoutes({ status: () => ({ ...upstream.status(), lateInputPending: derivation.lateInputPending }) }),
      impinjWebhookRoutes(driverHost, config, { metrics, log: log.child({ component: 'auth' }) }),
      posRoutes({ config, ingest, clock, security: { metrics, log: log.child({ component: 'auth' }) } }),
    ],
    onMqttWebSocket: (ws, request) => broker.handleWebSocket(ws, request),
    ...(config.http.tls ? { https: readTlsFiles('http.tls', config.http.tls) } : {}),
    maxWebSocketBytes: config.mqtt.maxPacketBytes,
  });

  let mqttPort = 0;
  let httpPort = 0;
  let ticker: NodeJS.Timeout | undefined;
  // Started in this order; stopped in reverse (a failed start stops what began, the same way).
  const list: Service[] = [
    stopOnly('journal', () => {
      db.close();
    }),
    stopOnly('derivation', () => derivation.close()),
    {
      name: 'mqtt',
      start: async () => {
        mqttPort = await listenOrExplain(
          () => broker.listen(config.mqtt.port, config.mqtt.host),
          'mqtt.port',
          'GW_MQTT_PORT',
          config.mqtt.port,
        );
        await broker.listenTls(config.mqtt.host);
      },
      stop: () => broker.close(),
    },
    {
      name: 'http',
      start: async () => {
        httpPort = await listenOrExplain(
          async () => {
            await api.listen({ port: config.http.port, host: config.http.host });
            return (api.server.address() as AddressInfo).port;
          },
          'http.port',
          'GW_HTTP_PORT',
          config.http.port,
        );
      },
      stop: () => api.close(),
    },
    { name: 'upstream', start: () => upstream.start(), stop: () => upstream.stop() },
    // Stops after the inputs listed below it: what they received is committed and acknowledged.
    stopOnly('group-commit', () => commit.close()),
    { name: 'retention', start: () => retention.start(), stop: () => retention.stop() },
    { name: 'drivers', start: () => drivers.start(), stop: () => drivers.stop() },
    // On stop, before the drivers: accept nothing new over MQTT.
    stopOnly('mqtt-intake', () => broker.stopAccepting()),
    stopOnly('alert-webhook', () => webhook?.stop()),
    {
      name: 'ticker',
      start: () => {
        ticker = setInterval(() => {
          commit.flushTick();
          for (const change of devices.changes()) feed.publish('device', change);
          funnelPublisher.publishIfChanged();
        }, options.tickEveryMs ?? 1000);
        ticker.unref();
      },
      stop: () => clearInterval(ticker),
    },
    {
      name: 'ready',
      start: () => {
        listening = true;
      },
      stop: () => {
        listening = false;
      },
    },
  ];
  const services = new Services(list, log);
  await services.start();
  log.info(
    { component: 'gateway', store: config.store.id, mqttPort, httpPort, dataDir: config.dataDir },
    'gateway started',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= services.stop().then(() => log.info({ component: 'gateway' }, 'gateway stopped'));
    return stopping;
  };

  return { config, mqttPort, httpPort, db, metrics, derivation, reference, feed, broker, api, ingest, stop };
}

function lastOfEachType<T extends { readonly type: string }>(facts: readonly T[]): T[] {
  const last = new Map<string, T>();
  for (const fact of facts) last.set(fact.type, fact);
  return [...last.values()];
}

async function listenOrExplain(
  listen: () => Promise<number>,
  setting: string,
  env: string,
  port: number,
): Promise<number> {
  try {
    return await listen();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port, setting, env, err);
    throw err;
  }
}
