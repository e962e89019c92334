/**
 * GET /stream: Server-Sent Events of the live feed. A client reconnecting with
 * Last-Event-ID (browsers do it by themselves) first receives what it missed.
 * `?events=vip.arrival,vip.ack` limits the stream to those events (a phone needs no facts).
 * A `heartbeat` event (no id) every 15 s lets screens tell a quiet store from a dead link.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { typed } from '../../../common/typed-routes.js';
import { StreamQuery } from '../../../protocols/http-api.js';
import { SECURITY_HEADERS } from '../../infra/auth/headers.js';
import type { FeedMessage, LiveFeed } from '../live/feed.js';

const HEARTBEAT_MS = 15_000;

/** Per connection: what this client may see of each message (gateway/infra/auth strips PII for viewers). */
export type FeedView = (request: FastifyRequest) => (message: FeedMessage) => FeedMessage;

export function sseRoutes(feed: LiveFeed, path = '/stream', view?: FeedView) {
  return (untyped: FastifyInstance) => {
    const app = typed(untyped);
    const open = new Set<ServerResponse>();
    // End streams before the server closes, or close() would wait for them forever.
    app.addHook('preClose', async () => {
      for (const res of open) res.end();
    });
    app.get(path, { schema: { querystring: StreamQuery } }, (request, reply) => {
      const header = request.headers['last-event-id'] ?? request.query.since;
      const lastId = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : undefined;
      const visible = view?.(request) ?? ((m: FeedMessage) => m);
      const wanted = eventFilter(request.query.events);
      reply.hijack();
      const res = reply.raw;
      // A hijacked reply skips onSend hooks: the security headers go here.
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (message: FeedMessage) => {
        if (wanted && !wanted.has(message.event)) return;
        const m = visible(message);
        res.write(`id: ${m.id}\nevent: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`);
      };
      res.write('retry: 2000\n\n');
      if (lastId !== undefined) for (const m of feed.since(lastId)) send(m);
      const unsubscribe = feed.subscribe(send);
      // No id: a heartbeat must not move the client's Last-Event-ID.
      const heartbeat = setInterval(() => res.write(`event: heartbeat\ndata: {"ts":${Date.now()}}\n\n`), HEARTBEAT_MS);
      open.add(res);
      res.once('close', () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(res);
      });
    });
  };
}

/** The set of event names asked for, or undefined for all of them. */
function eventFilter(value: unknown): ReadonlySet<string> | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return new Set(value.split(',').map((name) => name.trim()));
}
