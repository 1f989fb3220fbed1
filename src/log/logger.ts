// pino, JSON lines. Request handlers log through ctx.state.log (a child with the request id).
// Redaction is the second line of defence: nothing secret should be passed to a log call at all.
import { pino, type Logger, type DestinationStream } from 'pino';

export const REDACTED_PATHS = [
  'password',
  '*.password',
  'client_secret',
  '*.client_secret',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'code',
  '*.code',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'headers',
  '*.headers',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tessera' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

export type { Logger };
