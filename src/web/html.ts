/**
 * A tagged template for HTML that escapes every interpolated value unless it
 * is already `SafeHtml` (the result of another `html` template or `raw`).
 * Arrays are joined; null, undefined and false render nothing. Pages are
 * built from these, so user text (findings, summaries, names) can never
 * become markup.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Markup the caller vouches for (built by this module's own code, never user text). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** `attr` present (boolean attributes such as `selected`, `checked`, `disabled`). */
export function when(condition: boolean, markup: SafeHtml | string): SafeHtml | string {
  return condition ? markup : '';
}
