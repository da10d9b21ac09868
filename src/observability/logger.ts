/**
 * Logging: JSON lines for the daemon (collected by journald, Loki…), readable text when a
 * person is watching a terminal.
 */
import { pino, type DestinationStream, type LevelWithSilent, type Logger as PinoLogger } from 'pino';
import pinoPretty from 'pino-pretty';

export type Logger = PinoLogger;
export type LogLevel = LevelWithSilent;
/** `auto`: pretty when the destination is a TTY, JSON otherwise. */
export type LogFormat = 'json' | 'pretty' | 'auto';

/** A destination that may say whether it is a terminal, as process.stdout does. */
export type LogDestination = DestinationStream & { isTTY?: boolean };

export interface CreateLoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Default: standard output. */
  destination?: LogDestination;
  /** Added to every line as `name`, e.g. the subcommand. */
  name?: string;
}

export function createLogger(opts: CreateLoggerOptions = {}): Logger {
  const format = opts.format ?? 'auto';
  const isTTY = (opts.destination ?? process.stdout).isTTY === true;
  const pretty = format === 'pretty' || (format === 'auto' && isTTY);
  const options = {
    level: opts.level ?? 'info',
    // ISO times read well in both formats and parse in every log pipeline.
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(opts.name !== undefined ? { name: opts.name } : {}),
  };

  if (pretty) {
    // A synchronous in-process stream rather than pino's worker transport: a CLI run is short
    // and must not lose its last lines on exit.
    const stream = pinoPretty({
      destination: opts.destination ?? 1,
      sync: true,
      colorize: isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    });
    return pino(options, stream);
  }
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
