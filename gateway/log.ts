/** The root pino logger. JSON by default (for log shippers); pretty on a terminal when asked. */
import pino, { type Logger } from 'pino';

export interface LogOptions {
  readonly level?: string;
  readonly pretty?: boolean;
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.GW_LOG_LEVEL ?? 'info';
  if (options.pretty) {
    return pino({
      level,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } },
    });
  }
  return pino({ level });
}

export type { Logger };
