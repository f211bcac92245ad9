/*
 * A tiny HTML builder: every interpolated value is escaped unless it is
 * already `Html` (built by this tag), so a client name or an e-mail address
 * can never become markup. There is no raw escape hatch on purpose.
 */

const HTML = Symbol('html');

export interface Html {
  readonly [HTML]: true;
  readonly value: string;
}

export type Interpolation = Html | string | number | boolean | null | undefined | readonly Interpolation[];

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && HTML in value;
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map((v: Interpolation) => render(v)).join('');
  if (isHtml(value)) return value.value;
  return escapeHtml(String(value));
}

/** `html\`<p>${name}</p>\``: a template whose values are escaped. `false`, `null` and `undefined` render as nothing. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return { [HTML]: true, value: out };
}

/** Only http(s) URLs may become links or images: no `javascript:`, `data:` or relative tricks from client metadata. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
