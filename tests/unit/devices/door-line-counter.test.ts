/** The serial door counter's counting rules, without a port. */
import { describe, expect, it } from 'vitest';
import { DoorLineCounter } from '../../../devices/index.js';
import type { DoorLine } from '../../../protocols/index.js';

function line(seq: number, totalIn: number, totalOut: number, bootId = 'B1', door = 'main'): DoorLine {
  return { device: 'cnt', seq, door, totalIn, totalOut, bootId };
}

describe('DoorLineCounter', () => {
  it('takes the first line as the base, then counts increases', () => {
    const c = new DoorLineCounter();
    expect(c.apply(line(1, 100, 90))).toMatchObject({ dIn: 0, dOut: 0, ignored: 'base' });
    expect(c.apply(line(2, 103, 90))).toMatchObject({ dIn: 3, dOut: 0, id: 'B1:2' });
    expect(c.apply(line(5, 104, 92))).toMatchObject({ dIn: 1, dOut: 2, id: 'B1:5' }); // lost lines are harmless
  });

  it('ignores a repeated line and a line from a boot already replaced', () => {
    const c = new DoorLineCounter();
    c.apply(line(1, 10, 10));
    c.apply(line(2, 12, 10));
    expect(c.apply(line(2, 12, 10))).toMatchObject({ dIn: 0, dOut: 0, ignored: 'duplicate' });
    expect(c.apply(line(1, 2, 1, 'B2'))).toMatchObject({ dIn: 2, dOut: 1, restart: 'boot' });
    expect(c.apply(line(3, 13, 10, 'B1'))).toMatchObject({ dIn: 0, dOut: 0, ignored: 'stale-boot' });
    expect(c.apply(line(2, 4, 1, 'B2'))).toMatchObject({ dIn: 2, dOut: 0 });
  });

  it('counts from the new base after a restart, never negative and never twice', () => {
    const c = new DoorLineCounter();
    c.apply(line(7, 500, 400));
    // Same boot id, totals down: only the direction that went down restarted.
    const d = c.apply(line(1, 3, 402));
    expect(d).toMatchObject({ dIn: 3, dOut: 2, restart: 'decrease' });
    // seq starts over without a new boot id: ids must still be new.
    const again = c.apply(line(2, 4, 402));
    expect(again).toMatchObject({ dIn: 1, dOut: 0 });
    expect(again.id).not.toBe('B1:2');
    const total = [d, again].reduce((a, x) => a + x.dIn + x.dOut, 0);
    expect(total).toBe(6);
  });

  it('resumes from a persisted base, per counter door', () => {
    const c = new DoorLineCounter([{ lineDoor: 'main', bootId: 'B1', seq: 9, totalIn: 50, totalOut: 40 }]);
    expect(c.apply(line(12, 55, 41))).toMatchObject({ dIn: 5, dOut: 1 });
    expect(c.apply(line(13, 7, 7, 'B1', 'side'))).toMatchObject({ ignored: 'base' });
    expect(c.bases()).toEqual([
      { lineDoor: 'main', bootId: 'B1', seq: 12, totalIn: 55, totalOut: 41 },
      { lineDoor: 'side', bootId: 'B1', seq: 13, totalIn: 7, totalOut: 7 },
    ]);
  });
});
