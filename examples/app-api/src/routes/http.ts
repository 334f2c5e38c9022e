/** Versions travel as strong ETags: `"3"`. If-Match accepts that form (and a bare number). */
export function etag(version: number | undefined): string {
  return `"${version ?? 0}"`;
}

/** The version an If-Match header names, or undefined when absent or `*`. NaN when malformed. */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(header);
  return m ? Number(m[1]) : Number.NaN;
}

/**
 * Aborts when the client goes away before the response is sent, so store and chain calls made
 * for a request nobody waits for stop early.
 */
export function abortSignalOf(reply: { raw: import('node:http').ServerResponse }): AbortSignal {
  const controller = new AbortController();
  const res = reply.raw;
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('client disconnected'));
  });
  return controller.signal;
}

/** True when the client's If-None-Match already names this version (answer 304, no body). */
export function matchesIfNoneMatch(
  header: string | undefined,
  version: number | undefined,
): boolean {
  if (!header) return false;
  const current = etag(version);
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === current || tag === `W/${current}`;
  });
}
