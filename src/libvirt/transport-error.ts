// Its own module so that transports in subfolders (ssh/) can throw it without importing
// transport.ts, which imports them.
export class TransportError extends Error {
  override name = 'TransportError';
}
