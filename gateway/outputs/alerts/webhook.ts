/**
 * Optional outgoing webhook for VIP alerts (e.g. a WeCom or DingTalk group robot): JSON POST
 * with retries and exponential backoff, a bounded queue, and no effect on ingest if the
 * far end is slow or down.
 */
import type { Logger } from 'pino';
import type { CampaignNames } from '../../infra/config/types.js';
import type { AssistAlert } from './assist-store.js';
import type { VipAlert } from './store.js';

/** What the webhook carries: VIP arrivals and fitting-room assistance cards. */
export type WebhookAlert = VipAlert | AssistAlert;

export type WebhookFormat = 'json' | 'wecom' | 'dingtalk';

export interface WebhookOptions {
  readonly url: string;
  readonly format: WebhookFormat;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly timeoutMs?: number;
  readonly maxQueue?: number;
  /** Campaign slug → names (config `campaigns`): the group message names the campaign. */
  readonly campaigns?: Readonly<Record<string, CampaignNames>>;
}

/** Group robots take markdown text; our own format is the alert itself (`kind` tells which). */
export function webhookBody(
  alert: WebhookAlert,
  format: WebhookFormat,
  campaigns: Readonly<Record<string, CampaignNames>> = {},
): unknown {
  if ('kind' in alert) return assistWebhookBody(alert, format);
  if (format === 'json') return { type: 'vip.arrival', kind: 'vip', alert };
  const p = alert.profile;
  const lines = [
    `### VIP 到店 ${'★'.repeat(p.tier)}`,
    `**${p.name ?? alert.member}** (${alert.zone})`,
    p.invitation
      ? `${p.invitation.staff}邀约来参加「${campaigns[p.invitation.campaign]?.['zh-CN'] ?? p.invitation.campaign}」`
      : '',
    p.recentPurchases.length > 0 ? `最近购买: ${p.recentPurchases.length} 单` : '',
  ].filter((l) => l !== '');
  const text = lines.join('\n');
  return format === 'wecom'
    ? { msgtype: 'markdown', markdown: { content: text } }
    : { msgtype: 'markdown', markdown: { title: 'VIP 到店', text } };
}

function assistWebhookBody(card: AssistAlert, format: WebhookFormat): unknown {
  if (format === 'json') return { type: 'room.assist', kind: 'assist', alert: card };
  const names = [...new Set(card.items.map((i) => i.name ?? i.sku ?? i.epc))].join('、');
  const title = '试衣间需要协助';
  const need =
    card.reason === 'size-swap'
      ? `${card.styleName ?? card.style ?? ''} 试了 ${card.sizes?.join('、') ?? ''} 码，要不要再拿个尺码过去？`
      : '顾客试穿时间较长，去看看需不需要帮忙？';
  const text = [`### ${title}`, `**${card.room}**: ${need}`, names === '' ? '' : `在试: ${names}`]
    .filter((l) => l !== '')
    .join('\n');
  return format === 'wecom'
    ? { msgtype: 'markdown', markdown: { content: text } }
    : { msgtype: 'markdown', markdown: { title, text } };
}

/**
 * The webhook URL as it may appear in logs. Group robots carry their secret in the URL
 * (WeCom `?key=`, DingTalk `?access_token=`, Slack-style `/services/T…/B…/<secret>`), so a
 * log line shows the origin and path with every query value and every long path segment
 * masked, and never user info.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<unparseable url>';
  }
  const path = parsed.pathname
    .split('/')
    .map((segment) => (segment.length >= 16 ? '***' : segment))
    .join('/');
  const query = [...parsed.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=***`).join('&');
  return `${parsed.protocol}//${parsed.host}${path}${query ? `?${query}` : ''}`;
}

/** An error as it may be logged: its name and message with any URL in it redacted. */
function redactError(err: unknown): { name: string; message: string; cause?: string } {
  const scrub = (text: string) => text.replace(/https?:\/\/[^\s"'<>]+/g, (u) => redactUrl(u));
  const e = err instanceof Error ? err : new Error(String(err));
  const cause = e.cause instanceof Error ? scrub(e.cause.message) : undefined;
  return { name: e.name, message: scrub(e.message), ...(cause !== undefined ? { cause } : {}) };
}

export class AlertWebhook {
  private readonly queue: WebhookAlert[] = [];
  /** The URL for log lines (its key masked). */
  private readonly safeUrl: string;
  private running = false;
  private stopped = false;
  delivered = 0;
  failed = 0;

  constructor(
    private readonly options: WebhookOptions,
    private readonly log: Logger,
  ) {
    this.safeUrl = redactUrl(options.url);
  }

  enqueue(alert: WebhookAlert): void {
    if (this.stopped) return;
    if (this.queue.length >= (this.options.maxQueue ?? 1000)) {
      this.queue.shift();
      this.failed++;
      this.log.warn({ url: this.safeUrl }, 'webhook queue full; dropped the oldest alert');
    }
    this.queue.push(alert);
    if (!this.running) void this.drain();
  }

  stop(): void {
    this.stopped = true;
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (!this.stopped && this.queue.length > 0) {
      const alert = this.queue[0] as WebhookAlert;
      if (await this.deliver(alert)) this.delivered++;
      else this.failed++;
      this.queue.shift();
    }
    this.running = false;
  }

  private async deliver(alert: WebhookAlert): Promise<boolean> {
    const attempts = this.options.maxAttempts ?? 5;
    const base = this.options.baseDelayMs ?? 500;
    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      try {
        const res = await fetch(this.options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(webhookBody(alert, this.options.format, this.options.campaigns)),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        });
        if (res.ok) return true;
        this.log.warn({ url: this.safeUrl, status: res.status, attempt }, 'webhook refused alert');
        if (res.status >= 400 && res.status < 500 && res.status !== 429) return false;
      } catch (err) {
        this.log.warn({ url: this.safeUrl, attempt, err: redactError(err) }, 'webhook delivery failed');
      }
      await new Promise((r) => setTimeout(r, base * 2 ** (attempt - 1)));
    }
    return false;
  }
}
