import { createServer } from 'node:net';

/**
 * Returns `preferred` unchanged, or for 0 a port the OS reports free on 127.0.0.1. Needed where a
 * port must be known before its server starts (the page's origin goes into the Chain host's CORS
 * list, and the page needs the Chain URL); the short window before it is bound is acceptable for a
 * local demo.
 */
export async function resolvePort(preferred: number): Promise<number> {
  if (preferred !== 0) return preferred;
  return await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
