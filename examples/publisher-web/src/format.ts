/** A short form of a long hex id for display: the full value stays in the title tooltip. */
export function shortHex(value: string, keep = 10): string {
  return value.length <= keep * 2 + 1 ? value : `${value.slice(0, keep)}…${value.slice(-6)}`;
}

/** Capitalised first letter, and a full stop: how the server's field descriptions are shown. */
export function sentence(text: string): string {
  return `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}.`;
}
