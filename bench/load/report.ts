/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Milliseconds as a table shows them: one decimal below 10. */
export function ms(value: number): string {
  if (Number.isNaN(value)) return '';
  return value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en');
}

/** A whole number with thousands separators, or nothing. */
export function count(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '' : Math.round(value).toLocaleString('en');
}

/** A Markdown table, ready to paste into docs/performance.md. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  rows.forEach((row) => console.log(line(row)));
}
