/**
 * Network people counter formats, with the payloads as documented / as integrations quote
 * them from real cameras: Hikvision EventNotificationAlert (realTime and timeRange), the
 * alertStream multipart framing, CountingStatisticsResult; AXIS live-sum.json and export-csv.
 */
import { describe, expect, it } from 'vitest';
import {
  hikvisionCountingSearchXml,
  localDayKey,
  localToEpoch,
  MultipartStreamParser,
  multipartBoundary,
  parseAxisHistoryCsv,
  parseAxisLiveSum,
  parseHikvisionAlert,
  parseHikvisionCountingResult,
} from '../../../protocols/index.js';

const SH = 'Asia/Shanghai';

// PeopleCounting alert in timeRange mode (as posted by a DS-2CD camera, urn:psialliance-org namespace).
const TIME_RANGE = `<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="1.0" xmlns="urn:psialliance-org">
<ipAddress>192.168.10.32</ipAddress>
<protocolType>HTTP</protocolType>
<macAddress>24:28:fd:f3:3a:11</macAddress>
<channelID>1</channelID>
<dateTime>2021-10-12T19:15:00+08:00</dateTime>
<activePostCount>1</activePostCount>
<eventType>PeopleCounting</eventType>
<eventState>active</eventState>
<eventDescription>peopleCounting alarm</eventDescription>
<channelName>Camera 01</channelName>
<peopleCounting>
<statisticalMethods>timeRange</statisticalMethods>
<TimeRange>
<startTime>2021-10-12T19:00:00+08:00</startTime>
<endTime>2021-10-12T19:15:00+08:00</endTime>
</TimeRange>
<enter>0</enter>
<exit>1</exit>
<regionsID>1</regionsID>
</peopleCounting>
<childCounting>
<enter>5</enter>
<exit>5</exit>
</childCounting>
</EventNotificationAlert>`;

// realTime mode (ISAPI 2.0 namespace): counts so far today.
const REAL_TIME = `<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"> <ipAddress>192.168.2.64</ipAddress>
<portNo>8080</portNo>
<protocol>HTTP</protocol>
<macAddress>3c:1b:f8:c1:3a:6d</macAddress>
<channelID>1</channelID>
<dateTime>2024-07-08T12:27:24+08:00</dateTime> <activePostCount>1</activePostCount>
<eventType>PeopleCounting</eventType>
<eventState>active</eventState>
<eventDescription>PeopleCounting alarm</eventDescription> <channelName>Camera 01</channelName>
<peopleCounting>
<statisticalMethods>realTime</statisticalMethods>
<RealTime>
<time>2024-07-08T12:27:24+08:00</time>
</RealTime>
<enter>15</enter>
<exit>14</exit>
<duplicatePeople>4</duplicatePeople> <countingSceneMode>entrance</countingSceneMode>
</peopleCounting>
<isDataRetransmission>false</isDataRetransmission>
</EventNotificationAlert>`;

// Counting search answer, reportType daily (hour by hour, end inclusive to the second).
const SEARCH_RESULT = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<CountingStatisticsResult xmlns="http://www.hikvision.com/ver20/XMLSchema" version="2.0">
<responseStatus>OK</responseStatus>
<responseStatusStrg>OK</responseStatusStrg>
<matchList>
<matchElement>
<timeSpan>
<startTime>2017-01-30T00:00:00</startTime>
<endTime>2017-01-30T00:59:59</endTime>
</timeSpan>
<enterCount>0</enterCount>
<exitCount>0</exitCount>
</matchElement>
<matchElement>
<timeSpan>
<startTime>2017-01-30T01:00:00</startTime>
<endTime>2017-01-30T01:59:59</endTime>
</timeSpan>
<enterCount>12</enterCount>
<exitCount>7</exitCount>
</matchElement>
<matchElement>
<timeSpan><startTime>garbage</startTime><endTime>2017-01-30T02:59:59</endTime></timeSpan>
<enterCount>1</enterCount><exitCount>1</exitCount>
</matchElement>
</matchList>
</CountingStatisticsResult>`;

describe('Hikvision ISAPI', () => {
  it('reads a timeRange PeopleCounting alert (the peopleCounting block, not childCounting)', () => {
    const r = parseHikvisionAlert(TIME_RANGE, SH);
    expect(r).toEqual({
      ok: true,
      value: {
        kind: 'people-counting',
        channel: 1,
        dateTime: Date.parse('2021-10-12T19:15:00+08:00'),
        method: 'timeRange',
        start: Date.parse('2021-10-12T19:00:00+08:00'),
        end: Date.parse('2021-10-12T19:15:00+08:00'),
        enter: 0,
        exit: 1,
      },
    });
  });

  it('reads a realTime PeopleCounting alert', () => {
    const r = parseHikvisionAlert(REAL_TIME, SH);
    expect(r.ok && r.value).toMatchObject({
      method: 'realTime',
      time: Date.parse('2024-07-08T12:27:24+08:00'),
      enter: 15,
      exit: 14,
    });
  });

  it('passes other events through as keep-alives and rejects broken ones with a code', () => {
    const heartbeat =
      '<EventNotificationAlert version="2.0"><channelID>1</channelID><dateTime>2024-07-08T12:27:24+08:00</dateTime><eventType>videoloss</eventType><eventState>inactive</eventState></EventNotificationAlert>';
    expect(parseHikvisionAlert(heartbeat, SH)).toMatchObject({
      ok: true,
      value: { kind: 'other', eventType: 'videoloss' },
    });
    expect(parseHikvisionAlert('<html>login</html>', SH)).toMatchObject({ ok: false, code: 'bad-frame' });
    expect(parseHikvisionAlert(TIME_RANGE.replace('<enter>0</enter>', '<enter>-3</enter>'), SH)).toMatchObject({
      ok: false,
      code: 'schema',
    });
    expect(parseHikvisionAlert(TIME_RANGE.replace('timeRange<', 'daily<'), SH)).toMatchObject({
      ok: false,
      code: 'unsupported',
    });
  });

  it('reads a daily counting search result hour by hour, local times in the camera zone', () => {
    const r = parseHikvisionCountingResult(SEARCH_RESULT, SH);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.periods).toEqual([
      {
        start: Date.parse('2017-01-30T00:00:00+08:00'),
        end: Date.parse('2017-01-30T01:00:00+08:00'),
        enter: 0,
        exit: 0,
      },
      {
        start: Date.parse('2017-01-30T01:00:00+08:00'),
        end: Date.parse('2017-01-30T02:00:00+08:00'),
        enter: 12,
        exit: 7,
      },
    ]);
    expect(r.value.rejected.map((x) => x.code)).toEqual(['schema']);
    expect(
      parseHikvisionCountingResult(
        '<ResponseStatus><statusString>Invalid Operation</statusString></ResponseStatus>',
        SH,
      ),
    ).toMatchObject({ ok: false, code: 'schema' });
  });

  it('builds the documented search request for one day', () => {
    const xml = hikvisionCountingSearchXml({ year: 2017, month: 1, day: 30, hour: 0, minute: 0, second: 0 });
    expect(xml).toContain('<CountingStatisticsDescription');
    expect(xml).toContain('<reportType>daily</reportType>');
    expect(xml).toContain('<startTime>2017-01-30T00:00:00</startTime><endTime>2017-01-30T23:59:59</endTime>');
  });

  it('splits the multipart alert stream, across chunk borders, and skips garbage with a rejection', () => {
    expect(multipartBoundary('multipart/mixed; boundary=boundary')).toBe('boundary');
    const part = (xml: string) =>
      `--boundary\r\nContent-Type: application/xml; charset="UTF-8"\r\nContent-Length: ${Buffer.byteLength(xml)}\r\n\r\n${xml}\r\n`;
    const stream = Buffer.from(
      `${part(TIME_RANGE)}junk!${part(REAL_TIME)}--boundary\r\n\r\n<x>no length</x>\r\n--boundary\r\n`,
    );
    const p = new MultipartStreamParser('boundary');
    const parts = [];
    const rejected = [];
    for (let i = 0; i < stream.length; i += 7) {
      const b = p.push(stream.subarray(i, i + 7));
      parts.push(...b.parts);
      rejected.push(...b.rejected);
    }
    expect(parts.map((x) => x.body)).toEqual([TIME_RANGE, REAL_TIME, '<x>no length</x>']);
    expect(parts[0]?.headers['content-type']).toBe('application/xml; charset="UTF-8"');
    // Skipped bytes are reported as they are dropped (here in the chunks "junk!" arrived in).
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(new Set(rejected.map((r) => r.code))).toEqual(new Set(['bad-frame']));
  });
});

describe('AXIS People Counter', () => {
  it('reads the documented live-sum.json example in the camera zone', () => {
    const r = parseAxisLiveSum(
      '{"serial":"00408CAC512B","name":"Exit south","timestamp":"20170503112756","in":12,"out":318}',
      'Europe/Stockholm',
    );
    expect(r).toEqual({
      ok: true,
      value: {
        serial: '00408CAC512B',
        name: 'Exit south',
        ts: Date.parse('2017-05-03T11:27:56+02:00'),
        day: '20170503',
        in: 12,
        out: 318,
      },
    });
    expect(parseAxisLiveSum('{"serial":"x","in":', SH)).toMatchObject({ ok: false, code: 'malformed-json' });
    expect(parseAxisLiveSum('{"timestamp":"2017-05-03","in":1,"out":2}', SH)).toMatchObject({
      ok: false,
      code: 'schema',
    });
    expect(parseAxisLiveSum('{"timestamp":"20170503112756","in":-1,"out":2}', SH)).toMatchObject({
      ok: false,
      code: 'schema',
    });
  });

  it('reads export-csv by its header, keeping good rows when one is bad', () => {
    const csv =
      'Interval start,Interval stop,Camera serial number,Counter name,Pedestrians coming in,Pedestrians going out\r\n' +
      '2017-05-12 10:00:00,2017-05-12 10:15:00,00408CAC512B,"Exit, south",4,1\r\n' +
      '2017-05-12 10:15:00,2017-05-12 10:30:00,00408CAC512B,"Exit, south",0,2\r\n' +
      '2017-05-12 10:30:00,2017-05-12 10:45:00,00408CAC512B,"Exit, south",x,2\r\n';
    const r = parseAxisHistoryCsv(csv, SH);
    if (!r.ok) throw new Error(r.reason);
    expect(r.value.rows).toEqual([
      { start: Date.parse('2017-05-12T10:00:00+08:00'), end: Date.parse('2017-05-12T10:15:00+08:00'), in: 4, out: 1 },
      { start: Date.parse('2017-05-12T10:15:00+08:00'), end: Date.parse('2017-05-12T10:30:00+08:00'), in: 0, out: 2 },
    ]);
    expect(r.value.rejected).toHaveLength(1);
    expect(parseAxisHistoryCsv('<html>Internal error</html>', SH)).toMatchObject({ ok: false, code: 'schema' });
  });
});

describe('zoned time', () => {
  it('converts local wall time in a DST zone, taking the earlier instant in an overlap', () => {
    // Europe/Berlin 2026-10-25 02:30 happens twice (CEST then CET): the first is +02:00.
    expect(localToEpoch({ year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin')).toBe(
      Date.parse('2026-10-25T02:30:00+02:00'),
    );
    expect(localToEpoch({ year: 2026, month: 7, day: 1, hour: 9, minute: 0, second: 0 }, 'Europe/Berlin')).toBe(
      Date.parse('2026-07-01T09:00:00+02:00'),
    );
    expect(localDayKey(Date.parse('2026-11-22T16:30:00Z'), SH)).toBe('20261123');
  });
});
