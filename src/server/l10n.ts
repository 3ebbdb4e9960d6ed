// The server's user-facing strings (hovers, lens titles, quick-fix titles) in the client's language:
// the extension's own translation bundles (l10n/bundle.l10n.<locale>.json), keyed by the English text.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let bundle: Record<string, string> = {};

/** Loads the bundle for `locale` (`vi`, `vi-VN` -> `vi`); English when there is none. */
export function setLocale(locale: string | undefined, dir = join(__dirname, '..', 'l10n')): void {
  bundle = {};
  if (!locale) return;
  for (const name of [locale.toLowerCase(), locale.toLowerCase().split('-')[0]]) {
    const file = join(dir, `bundle.l10n.${name}.json`);
    if (!/^[a-z-]+$/.test(name) || !existsSync(file)) continue;
    try {
      bundle = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      return;
    } catch {
      bundle = {};
    }
  }
}

/** `t('calls {0}', name)`: the translation of the English text, with its placeholders filled. */
export function t(text: string, ...args: (string | number)[]): string {
  const s = typeof bundle[text] === 'string' ? bundle[text] : text;
  return s.replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] !== undefined ? String(args[Number(i)]) : m));
}
