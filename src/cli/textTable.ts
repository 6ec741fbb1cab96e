/**
 * Rows as aligned columns under a header, for the CLI's listings. The last column is free text (a
 * title) and is not padded; whitespace runs in a cell (a newline in a stored title) become one space
 * so a record stays on its row.
 */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (v: string | undefined) => (v ?? '').replace(/\s+/g, ' ').trim();
  const all = [headers, ...rows].map((r) => headers.map((_, i) => cell(r[i])));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}
