// Renders a Recommendation as a short report a person can act on, or as stable JSON, in the
// recommendation's language.
import { stringify } from 'yaml';
import { type Translate, translator } from '../core/i18n';
import { fmtInt, fmtNum, type HandlerBreakdown, type MatrixRow, type Recommendation, type TraceStep } from './engine';

export function formatRecommendationJson(rec: Recommendation): string {
  return JSON.stringify(rec, null, 2);
}

export function formatRecommendationText(rec: Recommendation): string {
  const t = translator(rec.lang ?? 'en');
  const sections = [
    headline(rec, t),
    list(t('r.todo'), rec.actions.length > 0 ? rec.actions : [t('r.nothing')], true),
    section(t('r.how'), rec.trace.map((s) => traceLine(s, t))),
    rec.loadTestMatrix ? section(t('r.loadTests'), matrixLines(rec.loadTestMatrix, t)) : '',
    rec.handlers.length > 0 ? section(t('r.handlers'), handlerLines(rec.handlers, t)) : '',
    section(t('r.inputs'), inputLines(rec, t)),
    section(t('r.run'), runLines(rec, t)),
    rec.deployment.length > 0 ? section(t('r.deployFiles'), rec.deployment.map((d) => t('r.deployLine', { at: `${d.file}:${d.line}`, from: d.currentWorkers, to: d.recommended, ok: d.currentWorkers === d.recommended ? t('r.ok') : '' }))) : '',
    rec.warnings.length > 0 ? list(t('r.warnings'), rec.warnings, false) : '',
  ];
  return sections.filter(Boolean).join('\n\n') + '\n';
}

function uvicorn(n: number, pool: number, t: Translate): string {
  const w = t(n === 1 ? 'r.uvicorn1' : 'r.uvicornN', { n });
  return pool > 0 ? t('r.withPool', { n: w, pool }) : w;
}

function headline(rec: Recommendation, t: Translate): string {
  const now = uvicorn(rec.workers, rec.processPool, t);
  const after = uvicorn(rec.afterFix.workers, rec.afterFix.processPool, t);
  let line: string;
  if (rec.fixFirst && after === now) line = t('r.recommended', { n: t('r.fixFirstSame', { n: now }) });
  else if (rec.fixFirst) line = t('r.recommended', { n: t('r.untilFix', { n: now, after }) });
  else line = t('r.recommended', { n: now });
  const alt = !rec.fixFirst && rec.afterFix.source !== 'unchanged' && (rec.afterFix.workers !== rec.workers || rec.afterFix.processPool !== rec.processPool)
    ? `\n  ${t('r.alternative', { after })}` : '';
  const est = rec.estimates.estimated ? ` (${t('r.estimated')})` : '';
  return `${line}${alt}\n  ${rec.reason}${est}`;
}

function section(title: string, lines: string[]): string {
  return [title, ...lines.map((l) => `  ${l}`)].join('\n');
}

function list(title: string, items: string[], numbered: boolean): string {
  return section(title, items.map((item, i) => `${numbered ? `${i + 1}.` : '-'} ${item}`));
}

function traceLine(s: TraceStep, t: Translate): string {
  const label = /^\d$/.test(s.step) ? `[${s.step}]` : `(${s.step})`;
  const tag = s.measured ? ` [${t('r.measured')}]` : s.estimated ? ` [${t('r.estimated')}]` : '';
  return `${label} ${s.question} -> ${s.answer}${tag}\n      ${s.why}`;
}

function matrixLines(rows: MatrixRow[], t: Translate): string[] {
  const pct = (n: number | null): string => (n === null ? '-' : `${n >= 0 ? '+' : ''}${n.toFixed(1)} %`);
  const table = [
    t('r.matrixHead').split('|'),
    ...rows.map((r) => [
      String(r.workers), fmtInt(r.rps), `${fmtNum(r.p99Ms)} ms`,
      r.cpuPercent === undefined ? '-' : `${fmtNum(r.cpuPercent)} %`, r.memoryMb === undefined ? '-' : `${fmtInt(r.memoryMb)} MB`,
      pct(r.gainPct), pct(r.gainVsFirstPct), r.verdict,
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  return table.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

/** The heaviest handlers first, at most 10 (JSON has them all). */
const SHOWN_HANDLERS = 10;

function handlerLines(all: HandlerBreakdown[], t: Translate): string[] {
  const weight = (h: HandlerBreakdown): number => h.loopCpuMs + h.threadCpuMs + h.blockingMs;
  const handlers = [...all].sort((a, b) => weight(b) - weight(a) || (b.poolCpuMs + b.ioMs) - (a.poolCpuMs + a.ioMs)).slice(0, SHOWN_HANDLERS);
  const more = all.length > SHOWN_HANDLERS ? [t('r.moreHandlers', { n: all.length - SHOWN_HANDLERS })] : [];
  return [...handlers.map((h) => t('r.handlerLine', {
    name: h.route ?? h.name, wl: t(`wl.${h.workload}`), cpu: fmtNum(h.loopCpuMs),
    thread: h.threadCpuMs ? t('r.thread', { ms: fmtNum(h.threadCpuMs) }) : '', pool: h.poolCpuMs ? t('r.pool', { ms: fmtNum(h.poolCpuMs) }) : '',
    io: fmtNum(h.ioMs), overhead: h.overheadMs ? t('r.overhead', { ms: fmtNum(h.overheadMs) }) : '',
    costs: h.costs.map((c) => `${c.kind}${c.calls > 1 ? ` x${c.calls}` : ''} ${fmtNum(c.ms)} ms ${c.where}${c.source === 'default' ? '' : ` (${c.source})`}`).join(', '),
  })), ...more];
}

function inputLines(rec: Recommendation, t: Translate): string[] {
  const i = rec.inputs;
  const tag = (key: string): string => (key === 'rps' && i.measured.includes('rps') ? t('r.in.measuredLt') : i.assumed.includes(key) ? t('r.in.assumed') : i.source[key] ? t('r.in.from', { at: i.source[key] }) : '');
  const m = rec.memory;
  const src = t(`r.mem.src.${m.source}`);
  const model = m.baseMb ? t('r.mem.base', { base: fmtNum(m.baseMb), per: fmtNum(m.perWorkerMb), src }) : t('r.mem.per', { per: fmtNum(m.perWorkerMb), src });
  const lines = [
    t('r.in.line1', { cores: fmtNum(i.cores), cs: tag('cores'), mem: fmtInt(i.memoryMb), ms: tag('memoryMb'), rps: fmtInt(i.rps), rs: tag('rps') }),
    t('r.in.line2', { c: i.concurrency, cs: tag('concurrency'), t: fmtNum(i.targetLatencyMs), ts: tag('targetLatencyMs'), ccu: i.ccu === null ? '' : t('r.in.ccu', { n: i.ccu }) }),
    t('r.in.line3', { wl: t(`wl.${rec.workload}`), p: `${Math.round(rec.cpuRatio * 100)} %`, cov: rec.asyncCoverage === null ? '' : t('r.in.cov', { p: `${Math.round(rec.asyncCoverage * 100)} %` }) }),
    t('r.in.memory', { model, fits: m.maxWorkers }),
    t('r.estimates', { basis: rec.estimates.basis, how: rec.estimates.replaceWith.join(t('r.or')) }),
  ];
  const assumed = i.assumed.filter((k) => !(k === 'rps' && i.measured.includes('rps')));
  if (assumed.length > 0) lines.push(t('r.in.pass', { flags: assumed.map(flagOf).join(', ') }));
  return lines;
}

function flagOf(key: string): string {
  return ({ cores: '--cores', memoryMb: '--memory', rps: '--rps', concurrency: '--concurrency', targetLatencyMs: '--target-latency' } as Record<string, string>)[key] ?? key;
}

function runLines(rec: Recommendation, t: Translate): string[] {
  const compose = stringify(rec.compose).trimEnd().split('\n').map((l) => `  ${l}`);
  const scale = rec.cpuLimit === null ? [] : [t('r.cpuLimit', { cpus: rec.cpuLimit.toFixed(1), replicas: rec.replicas ?? 1 })];
  return [rec.command, ...scale, t('r.compose'), ...compose];
}
