/** An AbortSignal that never aborts, for calls made without one. */
export const neverAborted: AbortSignal = new AbortController().signal;
