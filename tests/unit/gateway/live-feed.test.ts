import { describe, expect, it } from 'vitest';
import { type FeedMessage, LiveFeed } from '../../../gateway/read/live/feed.js';

const ids = (messages: readonly FeedMessage[]) => messages.map((m) => m.id);

describe('LiveFeed', () => {
  it('delivers every message live but replays only the kept ones', () => {
    const feed = new LiveFeed(10);
    const live: FeedMessage[] = [];
    feed.subscribe((m) => live.push(m));
    feed.publish('vip.arrival', { n: 1 });
    feed.publish('fact', { n: 2 }, { keep: false });
    feed.publish('fact', { n: 3 }, { keep: false });
    feed.publish('vip.ack', { n: 4 });
    expect(ids(live)).toEqual([1, 2, 3, 4]);
    expect(ids(feed.since(0))).toEqual([1, 4]);
  });

  it('replays what came after the given id, across the gaps facts leave', () => {
    const feed = new LiveFeed(10);
    feed.publish('device', 'a'); // 1
    feed.publish('fact', 'b', { keep: false }); // 2
    feed.publish('device', 'c'); // 3
    feed.publish('fact', 'd', { keep: false }); // 4
    feed.publish('fact', 'e', { keep: false }); // 5
    feed.publish('device', 'f'); // 6
    expect(ids(feed.since(1))).toEqual([3, 6]);
    expect(ids(feed.since(2))).toEqual([3, 6]);
    expect(ids(feed.since(3))).toEqual([6]);
    expect(ids(feed.since(5))).toEqual([6]);
    expect(ids(feed.since(6))).toEqual([]);
  });

  it('replays the whole ring to a client older than it, and to one from before a restart', () => {
    const feed = new LiveFeed(3);
    for (let i = 0; i < 6; i++) feed.publish('device', i); // ids 1..6, ring keeps 4..6
    expect(ids(feed.since(1))).toEqual([4, 5, 6]);
    expect(ids(feed.since(3))).toEqual([4, 5, 6]);
    expect(ids(feed.since(4))).toEqual([5, 6]);
    // Ids start at 1 again after a restart: an id above the last one is from the previous run.
    expect(ids(feed.since(5000))).toEqual([4, 5, 6]);
  });
});
