// Message catalogues shared by the CLI, the language server and the extension: advice text, the
// decision-tree trace and diagnostics, in English and Vietnamese. Callers pick the language once
// (`--lang`, else LANG / LC_ALL; the extension follows VS Code's display language) and render
// messages by key and parameters; missing keys fall back to English.
import { ADVICE_EN, ADVICE_VI } from './advice';

export type Lang = 'en' | 'vi';

export type Params = Record<string, string | number>;

const CATALOGUES: Record<Lang, Record<string, string>> = { en: ADVICE_EN, vi: ADVICE_VI };

/** `vi`, `vi-VN`, `vi_VN.UTF-8` -> vi; anything else -> en. */
export function langOf(tag: string | undefined | null): Lang {
  return /^vi([-_.@]|$)/i.test((tag ?? '').trim()) ? 'vi' : 'en';
}

/** `--lang` when given, else the POSIX locale variables in their order of precedence. */
export function resolveLang(flag: string | undefined, env: Record<string, string | undefined> = {}): Lang {
  if (flag) return langOf(flag);
  return langOf(env.LC_ALL || env.LC_MESSAGES || env.LANG || env.LANGUAGE?.split(':')[0]);
}

/** Fills `{name}` placeholders; a placeholder without a parameter stays visible rather than vanishing. */
export function fill(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (params[k] === undefined ? m : String(params[k])));
}

export type Translate = (key: string, params?: Params) => string;

export function translator(lang: Lang): Translate {
  const cat = CATALOGUES[lang];
  return (key, params) => fill(cat[key] ?? ADVICE_EN[key] ?? key, params);
}

/** Whether every English key has a Vietnamese text (a unit test holds the catalogues to this). */
export function missingKeys(lang: Lang): string[] {
  return Object.keys(ADVICE_EN).filter((k) => !(k in CATALOGUES[lang]));
}
