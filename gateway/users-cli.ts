/**
 * `store-gateway user add|passwd|remove|list`: dashboard users kept in the store database
 * (gateway/infra/auth/users.ts), beside those of the config file. Works while the gateway runs
 * (SQLite WAL); a changed or removed user's sessions end at once.
 *
 * A password comes on stdin with --password-stdin (kept out of shell history); otherwise a
 * random one is printed once and must be changed at first sign-in.
 */
import {
  cleanDisplayName,
  DISPLAY_NAME_MAX,
  ensureUsersTable,
  MIN_PASSWORD_LENGTH,
  ROLES,
  randomPassword,
  USER_NAME,
  UserDirectory,
} from './infra/auth/users.js';
import type { GatewayConfig } from './infra/config/index.js';
import type { Role } from './infra/config/types.js';
import { openDb } from './pipeline/journal/index.js';

export interface UserCommand {
  readonly action: string | undefined;
  readonly name: string | undefined;
  readonly role: string | undefined;
  /** The person's name (e.g. 王芳) shown on acks, invitations and reports. */
  readonly displayName: string | undefined;
  readonly passwordStdin: boolean;
}

export const USER_USAGE = `  user add NAME --role manager|staff|viewer [--display-name "王芳"] [--password-stdin]
  user rename NAME --display-name "王芳"   the person's name on acks, invitations and reports
  user passwd NAME [--password-stdin]
  user remove NAME
  user list                        dashboard users in the store database (besides http.auth.users)`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function userCommand(config: GatewayConfig, cmd: UserCommand): Promise<number> {
  const { action, name } = cmd;
  if (action !== 'list' && (name === undefined || !USER_NAME.test(name))) {
    console.error(`user ${action ?? ''}: give a user name (letters, digits, _ . @ -, up to 64)\n\n${USER_USAGE}`);
    return 1;
  }
  const db = openDb(config.dataDir);
  try {
    ensureUsersTable(db);
    const users = new UserDirectory(db, config.http.auth?.users ?? []);
    const password = async (): Promise<{ value: string; generated: boolean } | undefined> => {
      if (!cmd.passwordStdin) return { value: randomPassword(), generated: true };
      const value = await readStdin();
      if (value.length < MIN_PASSWORD_LENGTH) {
        console.error(`give a password of at least ${MIN_PASSWORD_LENGTH} characters on stdin`);
        return undefined;
      }
      return { value, generated: false };
    };
    const displayName = cmd.displayName === undefined ? undefined : cleanDisplayName(cmd.displayName);
    if (cmd.displayName !== undefined && displayName === undefined) {
      console.error(`--display-name must be 1 to ${DISPLAY_NAME_MAX} characters, no control characters`);
      return 1;
    }
    const inConfig = (n: string) => {
      console.error(`user ${n} is listed in the config file (http.auth.users): change it there`);
      return 1;
    };
    switch (action) {
      case 'add': {
        const role = cmd.role as Role;
        if (!ROLES.includes(role)) {
          console.error(`user add: --role must be one of ${ROLES.join(', ')}`);
          return 1;
        }
        if (users.isConfigUser(name as string)) return inConfig(name as string);
        if (users.get(name as string)) {
          console.error(`user ${name} exists already (user passwd ${name} sets a new password)`);
          return 1;
        }
        const pw = await password();
        if (!pw) return 1;
        users.add(name as string, role, pw.value, pw.generated, displayName);
        console.log(`added ${role} ${name}${displayName === undefined ? '' : ` (${displayName})`}`);
        if (pw.generated) console.log(`one-time password (must be changed at first sign-in): ${pw.value}`);
        return 0;
      }
      case 'passwd': {
        if (users.isConfigUser(name as string)) return inConfig(name as string);
        if (!users.get(name as string)) {
          console.error(`no user ${name} in the store database`);
          return 1;
        }
        const pw = await password();
        if (!pw) return 1;
        users.setPassword(name as string, pw.value, pw.generated);
        console.log(`new password for ${name}; their sessions are ended`);
        if (pw.generated) console.log(`one-time password (must be changed at first sign-in): ${pw.value}`);
        return 0;
      }
      case 'rename': {
        if (users.isConfigUser(name as string)) return inConfig(name as string);
        if (displayName === undefined) {
          console.error(`user rename: give --display-name\n\n${USER_USAGE}`);
          return 1;
        }
        if (!users.setDisplayName(name as string, displayName)) {
          console.error(`no user ${name} in the store database`);
          return 1;
        }
        console.log(`${name} is now shown as ${displayName}`);
        return 0;
      }
      case 'remove': {
        if (users.isConfigUser(name as string)) return inConfig(name as string);
        if (!users.removeUser(name as string)) {
          console.error(`no user ${name} in the store database`);
          return 1;
        }
        console.log(`removed ${name}; their sessions are ended`);
        return 0;
      }
      case 'list': {
        const rows = db.prepare('SELECT name, role, must_change, display_name FROM users ORDER BY name').all() as {
          name: string;
          role: string;
          must_change: number;
          display_name: string | null;
        }[];
        for (const u of config.http.auth?.users ?? [])
          console.log(`${u.name}\t${u.role}\t${u.displayName ?? '-'}\t(config file)`);
        for (const r of rows)
          console.log(
            `${r.name}\t${r.role}\t${r.display_name ?? '-'}${r.must_change ? '\t(must change password)' : ''}`,
          );
        return 0;
      }
      default:
        console.error(`unknown user command ${action ?? ''}\n\n${USER_USAGE}`);
        return 1;
    }
  } finally {
    db.close();
  }
}
