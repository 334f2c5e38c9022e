/** The logging the publishing service needs; a pino or Fastify logger fits. */
export interface PublisherLogger {
  info(details: object, message?: string): void;
  warn(details: object, message?: string): void;
  error(details: object, message?: string): void;
}

export const NOOP_LOGGER: PublisherLogger = { info() {}, warn() {}, error() {} };
