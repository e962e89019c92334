import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../gateway/pipeline/broker/credentials.js';

describe('password hashes', () => {
  const stored = hashPassword('correct horse');

  it('verify the right password and refuse a wrong one or a damaged hash', async () => {
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct horsf', stored)).toBe(false);
    expect(await verifyPassword('correct horse', stored.replace('scrypt$', 'bcrypt$'))).toBe(false);
    expect(await verifyPassword('correct horse', 'scrypt$16384$8$1$c2FsdA==$c2hvcnQ=')).toBe(false);
    expect(await verifyPassword('correct horse', `scrypt$${2 ** 21}$8$1$c2FsdA==$${'A'.repeat(44)}`)).toBe(false);
  });

  it('leave the event loop free while scrypt runs (ingest and alerts go on during a sign-in)', async () => {
    let turns = 0;
    let done = false;
    const spin = () => {
      if (done) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const verified = verifyPassword('correct horse', stored).then((ok) => {
      done = true;
      return ok;
    });
    expect(await verified).toBe(true);
    // A synchronous scrypt would finish before the first setImmediate could run.
    expect(turns).toBeGreaterThan(0);
  });
});
