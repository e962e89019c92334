/** A real HTTP server standing in for a group robot: it keeps every JSON body posted to it. */
import { createServer } from 'node:http';

export interface WebhookSink {
  readonly url: string;
  readonly received: unknown[];
  close(): void;
}

export async function startWebhookSink(path = '/robot'): Promise<WebhookSink> {
  const received: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}${path}`, received, close: () => server.close() };
}
