// Core results -> LSP shapes: diagnostics (code, link to the rule's docs, the chain as related
// information), hovers, code lens titles. Lines and columns are the core's 1-based UTF-16 ones.
import type { Diagnostic, Hover, Range } from 'vscode-languageserver';
import { DiagnosticSeverity, MarkupKind } from 'vscode-languageserver';
import { MAX_FILE_BYTES } from '../core/files';
import { type Lang, langOf } from '../core/i18n';
import { localizeMessage } from '../core/i18n/diagnostics';
import { FAMILIES, OTHER_CODES } from '../core/rules';
import type { Finding, HandlerReport } from '../core/types';
import { t } from './l10n';
import type { OverBudget } from './workspace';

export const DOCS_URL = 'https://github.com/loopwise/loopwise#';
const RULE_NAMES = new Map<string, string>([...FAMILIES, ...OTHER_CODES].map((r) => [r.code, r.name]));

/** The README section of a code: `…#blocking-http` for LW101. */
export function docsUrl(code: string): string {
  return DOCS_URL + (RULE_NAMES.get(code) ?? code.toLowerCase());
}

export function findingRange(f: Finding): Range {
  return { start: { line: f.line - 1, character: f.column - 1 }, end: { line: f.endLine - 1, character: f.endColumn - 1 } };
}

/** The client's display language (LSP `initialize` params `locale`; VS Code sends `vscode.env.language`). */
let clientLang: Lang = 'en';
export function setClientLocale(locale: string | undefined): void { clientLang = langOf(locale); }
export function clientLanguage(): Lang { return clientLang; }

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

export function toDiagnostic(f: Finding): Diagnostic {
  const d: Diagnostic = {
    range: findingRange(f),
    message: localizeMessage(f, clientLang),
    severity: SEVERITY[f.severity],
    source: 'loopwise',
    code: f.code,
    codeDescription: { href: docsUrl(f.code) },
  };
  // Each hop after the call in the coroutine: where the chain goes, down to the blocking call.
  if (f.chain.length > 1) {
    d.relatedInformation = f.chain.slice(1).map((h, i, hops) => ({
      location: { uri: h.file, range: { start: { line: Math.max(0, h.line - 1), character: 0 }, end: { line: Math.max(0, h.line - 1), character: 0 } } },
      message: i === hops.length - 1 ? t('blocking call {0}', h.name) : t('calls {0}', h.name),
    }));
  }
  // The other blocking calls the same call reaches: where each one is.
  for (const a of f.also ?? []) {
    const h = a.chain[a.chain.length - 1];
    (d.relatedInformation ??= []).push({
      location: { uri: h.file, range: { start: { line: Math.max(0, h.line - 1), character: 0 }, end: { line: Math.max(0, h.line - 1), character: 0 } } },
      message: t('blocking call {0}', `${h.name} (${a.code})`),
    });
  }
  return d;
}

/**
 * The note of a file that gets no findings (workspace.ts OverBudget): its analysis took longer than the
 * budget, or it is an open document over the size limit (MAX_DOCUMENT_CHARS), which is not analysed.
 */
export function notAnalysedDiagnostic(over: OverBudget): Diagnostic {
  const message = over.chars !== undefined
    ? t('Loopwise: this file has {0} characters, over the {1} the analysis reads (the CLI skips such files too, see --max-file-size); it is not analysed.', over.chars.toLocaleString('en-US'), MAX_FILE_BYTES.toLocaleString('en-US'))
    : t('Loopwise: analysing this file took {0} ms, over the {1} ms budget (loopwise.run.fileBudgetMs); no findings are shown for it until it changes.', Math.round(over.ms), over.budgetMs);
  return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: 'loopwise', message };
}

function why(f: Finding): string {
  const family = FAMILIES.find((x) => x.code === f.code)?.family;
  if (f.code === 'LW301') return t('Each iteration waits for the previous one: N round trips one after another instead of one batched query.');
  if (family === 'cpu') return t('CPU work runs on the event-loop thread: no other request on this worker makes progress until it finishes.');
  return t('The call waits for I/O while holding the event loop: every other request on this worker waits too.');
}

/** Markdown text, escaped where it comes from user code. */
function esc(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');
}

export function hoverFor(findings: Finding[]): Hover | undefined {
  if (!findings.length) return undefined;
  const parts = findings.map((f) => {
    const title = FAMILIES.find((x) => x.code === f.code)?.title ?? f.code;
    const lines = [`**[${f.code}](${docsUrl(f.code)})** ${esc(title)}`, esc(localizeMessage(f, clientLang)), `*${esc(t('Why it blocks'))}:* ${esc(why(f))}`];
    if (f.chain.length > 1) lines.push(`*${esc(t('Call chain'))}:* ${f.chain.map((h) => esc(h.name)).join(' → ')}`);
    for (const a of f.also ?? []) lines.push(`*${esc(t('Call chain'))} (${a.code}):* ${a.chain.map((h) => esc(h.name)).join(' → ')}`);
    for (const fix of f.fixes) lines.push(`*${esc(t('Fix'))}${fix.isPreferred ? ` (${esc(t('preferred'))})` : ''}:* ${esc(fix.title + (fix.note ? ` (${fix.note})` : ''))}`);
    return lines.join('\n\n');
  });
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range: findingRange(findings[0]) };
}

export const LENS_KINDS = new Set(['route', 'websocket', 'dependency', 'middleware']);

/** `GET /weather · I/O 90 % · CPU 10 % · 2 blockers` */
export function lensTitle(h: HandlerReport): string {
  const total = h.cpuMs + h.ioMs + h.blockingMs;
  const pct = (n: number) => `${total > 0 ? Math.round((n / total) * 100) : 0} %`;
  const parts = [h.route ?? `${t(h.kind)} ${h.name}`, `I/O ${pct(h.ioMs)}`, `CPU ${pct(h.cpuMs)}`];
  if (h.blockingMs > 0) parts.push(t('blocking {0}', pct(h.blockingMs)));
  parts.push(h.findings === 1 ? t('1 blocker') : t('{0} blockers', h.findings));
  return parts.join(' · ');
}

export function contains(r: Range, line: number, character: number): boolean {
  const after = line > r.start.line || (line === r.start.line && character >= r.start.character);
  const before = line < r.end.line || (line === r.end.line && character <= r.end.character);
  return after && before;
}

export function intersects(a: Range, b: Range): boolean {
  const le = (p: { line: number; character: number }, q: { line: number; character: number }) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  return le(a.start, b.end) && le(b.start, a.end);
}
