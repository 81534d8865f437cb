/**
 * CSV as Excel opens it: UTF-8 with a byte-order mark (so Vietnamese
 * diacritics survive), CRLF line ends, every field quoted with inner quotes
 * doubled. A field that starts like a formula (= + - @) gets a leading
 * apostrophe, so a finding's text can never run as a spreadsheet formula.
 */
export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function toCsv(rows: (string | number | null | undefined)[][]): string {
  return `\uFEFF${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
