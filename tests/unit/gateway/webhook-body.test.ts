/** The group-robot message names the campaign as people say it, the slug only when unnamed. */
import { describe, expect, it } from 'vitest';
import type { VipAlert } from '../../../gateway/outputs/alerts/store.js';
import { webhookBody } from '../../../gateway/outputs/alerts/webhook.js';

const alert = (campaign: string): VipAlert => ({
  id: 'a1',
  type: 'vip.arrival',
  ts: 0,
  member: 'M-1',
  zone: 'entrance',
  via: 'card',
  profile: {
    member: 'M-1',
    name: '王芳',
    tier: 5,
    sizes: null,
    brands: [],
    notes: null,
    lastVisit: null,
    recentPurchases: [],
    triedNotBought: [],
    invitation: { id: 'i1', campaign, staff: '李娜', channel: 'wechat', ts: 0 },
  },
  ack: null,
  late: false,
  pushedAt: null,
});

const text = (body: unknown) => (body as { markdown: { content: string } }).markdown.content;
const CAMPAIGNS = { 'vip-private-sale': { en: 'Winter private sale', 'zh-CN': '冬季私享会' } };

describe('webhook group message', () => {
  it('says who invited them to which campaign, by its Chinese name', () => {
    const content = text(webhookBody(alert('vip-private-sale'), 'wecom', CAMPAIGNS));
    expect(content).toContain('李娜邀约来参加「冬季私享会」');
    expect(content).not.toContain('vip-private-sale');
  });

  it('falls back to the slug for a campaign without a name', () => {
    expect(text(webhookBody(alert('pop-up'), 'wecom', CAMPAIGNS))).toContain('「pop-up」');
  });
});
