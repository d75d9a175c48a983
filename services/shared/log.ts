import pino, { type Logger } from 'pino';

/** A structured logger (pino, JSON lines on stderr) for one service. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level }, pino.destination(2));
}
