/**
 * Logging: JSON lines for the daemon (collected by journald, Loki…), readable text when a
 * person is watching a terminal.
 */
import { pino, type DestinationStream, type LevelWithSilent, type Logger as PinoLogger } from 'pino';
import pinoPretty from 'pino-pretty';
import { redactSecretsIn, redactSecretsInValue } from '../manifests/redact.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

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
    // Whatever a line quotes (an error with a URL, a libvirt message with XML) goes through the
    // same redaction as plans: no URL userinfo, no graphics password, in any log line.
    hooks: {
      logMethod(this: PinoLogger, args: Parameters<PinoLogger['info']>, method: PinoLogger['info']) {
        const redacted = (args as unknown[]).map((a) =>
          typeof a === 'string' ? redactSecretsIn(a) : isPlainObject(a) ? redactSecretsInValue(a) : a,
        );
        return method.apply(this, redacted as Parameters<PinoLogger['info']>);
      },
    },
    serializers: { err: (err: Error) => redactSecretsInValue({ ...pino.stdSerializers.err(err) }) },
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
