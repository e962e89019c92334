/**
 * A Hikvision people counting camera's ISAPI, as its developer guide documents it (see
 * protocols/hikvision-isapi.ts):
 *
 * - `GET /ISAPI/Event/notification/alertStream`: a long-lived `multipart/mixed;
 *   boundary=boundary` answer; each part is an `EventNotificationAlert` with its
 *   Content-Type and Content-Length. PeopleCounting alerts in `realTime` (today's counts,
 *   on each change) or `timeRange` (a period's counts, when the test closes the period);
 *   while idle a `videoloss`/`inactive` heartbeat every `keepAliveMs`, as cameras send.
 * - `POST /ISAPI/System/Video/inputs/channels/{n}/counting/search` with a
 *   `CountingStatisticsDescription` (reportType daily) → `CountingStatisticsResult` with one
 *   `matchElement` per hour of the day (end time inclusive, `hh:59:59`).
 *
 * Behind digest auth; `setOutage` takes it away; `emitRaw` writes anything into the stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { xmlText } from '../../protocols/index.js';
import { CounterDevice, type CounterEmulatorOptions, isoLocal, localMidnight } from './counter-device.js';

export interface HikvisionCounterEmulatorOptions extends CounterEmulatorOptions {
  /** Default 1. */
  readonly channel?: number;
  /** How the camera reports live counts. Default timeRange. */
  readonly method?: 'realTime' | 'timeRange';
  /** Heartbeat interval while idle. Default 2 s. */
  readonly keepAliveMs?: number;
}

const BOUNDARY = 'boundary';
const ALERT_STREAM = '/ISAPI/Event/notification/alertStream';

export class HikvisionCounterEmulator extends CounterDevice {
  readonly channel: number;
  method: 'realTime' | 'timeRange';
  readonly #streams = new Set<ServerResponse>();
  #keepAlive: NodeJS.Timeout | undefined;
  /** Counting searches answered. */
  searches = 0;

  private constructor(options: HikvisionCounterEmulatorOptions) {
    super(options, 'IP Camera');
    this.channel = options.channel ?? 1;
    this.method = options.method ?? 'timeRange';
  }

  static async start(options: HikvisionCounterEmulatorOptions = {}): Promise<HikvisionCounterEmulator> {
    const emu = new HikvisionCounterEmulator(options);
    await emu.listen();
    emu.#keepAlive = setInterval(() => emu.#write(emu.#heartbeat()), options.keepAliveMs ?? 2000);
    return emu;
  }

  /** Alert stream clients connected now. */
  get clients(): number {
    return this.#streams.size;
  }

  override async close(): Promise<void> {
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#streams.clear();
    await super.close();
  }

  override dropClients(): void {
    for (const s of this.#streams) s.destroy();
    this.#streams.clear();
    super.dropClients();
  }

  /** Sends the counts of [start, end) as a timeRange PeopleCounting alert. */
  emitPeriod(start: number, end: number): void {
    this.#write(
      this.#alert(
        end,
        '<statisticalMethods>timeRange</statisticalMethods>\n' +
          `<TimeRange>\n<startTime>${isoLocal(start, this.offset, true)}</startTime>\n` +
          `<endTime>${isoLocal(end, this.offset, true)}</endTime>\n</TimeRange>\n` +
          `<enter>${this.sum('in', start, end)}</enter>\n<exit>${this.sum('out', start, end)}</exit>\n<regionsID>1</regionsID>\n`,
      ),
    );
  }

  /** Sends today's counts so far as a realTime PeopleCounting alert. */
  emitRealTime(at = this.now()): void {
    const midnight = localMidnight(at, this.offset);
    this.#write(
      this.#alert(
        at,
        '<statisticalMethods>realTime</statisticalMethods>\n' +
          `<RealTime>\n<time>${isoLocal(at, this.offset, true)}</time>\n</RealTime>\n` +
          `<enter>${this.sum('in', midnight, at + 1)}</enter>\n<exit>${this.sum('out', midnight, at + 1)}</exit>\n<regionsID>1</regionsID>\n`,
      ),
    );
  }

  /** Writes raw bytes into every alert stream (broken parts, garbage). */
  emitRaw(text: string): void {
    for (const s of this.#streams) s.write(text);
  }

  /** A CountingStatisticsResult for one local day, hour by hour. */
  searchResult(dayStart: number): string {
    const elements: string[] = [];
    for (let h = 0; h < 24; h++) {
      const start = dayStart + h * 3_600_000;
      const end = start + 3_600_000;
      elements.push(
        '<matchElement>\n<timeSpan>\n' +
          `<startTime>${isoLocal(start, this.offset, false)}</startTime>\n` +
          `<endTime>${isoLocal(end - 1000, this.offset, false)}</endTime>\n</timeSpan>\n` +
          `<enterCount>${this.sum('in', start, end)}</enterCount>\n<exitCount>${this.sum('out', start, end)}</exitCount>\n` +
          '</matchElement>',
      );
    }
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<CountingStatisticsResult version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">\n' +
      '<responseStatus>OK</responseStatus>\n<responseStatusStrg>OK</responseStatusStrg>\n' +
      `<matchList>\n${elements.join('\n')}\n</matchList>\n</CountingStatisticsResult>\n`
    );
  }

  protected override onCount(): void {
    if (this.method === 'realTime') this.emitRealTime();
  }

  protected handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === ALERT_STREAM) {
      res.writeHead(200, {
        'content-type': `multipart/mixed; boundary=${BOUNDARY}`,
        connection: 'keep-alive',
      });
      res.flushHeaders();
      this.#streams.add(res);
      res.on('close', () => this.#streams.delete(res));
      return;
    }
    if (req.method === 'POST' && path === `/ISAPI/System/Video/inputs/channels/${this.channel}/counting/search`) {
      const start = xmlText(body, 'startTime');
      const reportType = xmlText(body, 'reportType');
      const m = /^(\d{4})-(\d{2})-(\d{2})T00:00:00$/.exec(start ?? '');
      if (!m || reportType !== 'daily') {
        res
          .writeHead(400, { 'content-type': 'application/xml' })
          .end(
            '<ResponseStatus><statusCode>4</statusCode><statusString>Invalid Operation</statusString></ResponseStatus>',
          );
        return;
      }
      this.searches++;
      const dayStart = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - this.offset * 60_000;
      res.writeHead(200, { 'content-type': 'application/xml; charset="UTF-8"' }).end(this.searchResult(dayStart));
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/xml' })
      .end('<ResponseStatus><statusCode>4</statusCode><statusString>Invalid Operation</statusString></ResponseStatus>');
  }

  #alert(at: number, peopleCounting: string): string {
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">\n' +
      '<ipAddress>192.168.1.64</ipAddress>\n<portNo>80</portNo>\n<protocol>HTTP</protocol>\n' +
      `<channelID>${this.channel}</channelID>\n<dateTime>${isoLocal(at, this.offset, true)}</dateTime>\n` +
      '<activePostCount>1</activePostCount>\n<eventType>PeopleCounting</eventType>\n<eventState>active</eventState>\n' +
      `<eventDescription>peopleCounting alarm</eventDescription>\n<channelName>Camera 01</channelName>\n` +
      `<peopleCounting>\n${peopleCounting}</peopleCounting>\n</EventNotificationAlert>\n`
    );
  }

  #heartbeat(): string {
    return (
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">\n' +
      `<ipAddress>192.168.1.64</ipAddress>\n<channelID>${this.channel}</channelID>\n` +
      `<dateTime>${isoLocal(this.now(), this.offset, true)}</dateTime>\n<activePostCount>0</activePostCount>\n` +
      '<eventType>videoloss</eventType>\n<eventState>inactive</eventState>\n<eventDescription>videoloss alarm</eventDescription>\n' +
      '</EventNotificationAlert>\n'
    );
  }

  #write(xml: string): void {
    const part = `--${BOUNDARY}\r\nContent-Type: application/xml; charset="UTF-8"\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}\r\n`;
    for (const s of this.#streams) s.write(part);
  }
}
