// Renders a Recommendation as a short report a person can act on, or as stable JSON.
import { stringify } from 'yaml';
import { fmtInt, fmtNum, type MatrixRow, type Recommendation, type TraceStep } from './engine';

export function formatRecommendationJson(rec: Recommendation): string {
  return JSON.stringify(rec, null, 2);
}

export function formatRecommendationText(rec: Recommendation): string {
  const sections = [
    headline(rec),
    list('What to do', rec.actions.length > 0 ? rec.actions : ['Nothing to change in the code; deploy with the command below.'], true),
    section('How we got there', rec.trace.map(traceLine)),
    rec.loadTestMatrix ? section('Load tests', matrixLines(rec.loadTestMatrix)) : '',
    section('Inputs', inputLines(rec)),
    section('Run it', runLines(rec)),
    rec.deployment.length > 0 ? section('Deployment files', rec.deployment.map((d) => `${d.file}:${d.line}: ${d.currentWorkers} -> ${d.recommended} worker(s)${d.currentWorkers === d.recommended ? ' (ok)' : ''}`)) : '',
    rec.warnings.length > 0 ? list('Warnings', rec.warnings, false) : '',
  ];
  return sections.filter(Boolean).join('\n\n') + '\n';
}

function headline(rec: Recommendation): string {
  const n = `${rec.workers} Uvicorn worker${rec.workers === 1 ? '' : 's'}`;
  const later = rec.fixFirst && rec.afterFixWorkers !== rec.workers ? ` for now (${rec.afterFixWorkers} once the blocking calls are fixed)` : '';
  return `Recommended: ${n}${later}\n  ${rec.reason}`;
}

function section(title: string, lines: string[]): string {
  return [title, ...lines.map((l) => `  ${l}`)].join('\n');
}

function list(title: string, items: string[], numbered: boolean): string {
  return section(title, items.map((item, i) => `${numbered ? `${i + 1}.` : '-'} ${item}`));
}

function traceLine(t: TraceStep): string {
  const label = /^\d$/.test(t.step) ? `[${t.step}]` : `(${t.step})`;
  return `${label} ${t.question} -> ${t.answer}\n      ${t.why}`;
}

function matrixLines(rows: MatrixRow[]): string[] {
  const pct = (n: number | null): string => (n === null ? '-' : `${n >= 0 ? '+' : ''}${n.toFixed(1)} %`);
  const table = [
    ['workers', 'req/s', 'p99', 'CPU', 'memory', 'vs prev', 'vs first', 'verdict'],
    ...rows.map((r) => [
      String(r.workers), fmtInt(r.rps), `${fmtNum(r.p99Ms)} ms`,
      r.cpuPercent === undefined ? '-' : `${fmtNum(r.cpuPercent)} %`, r.memoryMb === undefined ? '-' : `${fmtInt(r.memoryMb)} MB`,
      pct(r.gainPct), pct(r.gainVsFirstPct), r.verdict,
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  return table.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd());
}

function inputLines(rec: Recommendation): string[] {
  const i = rec.inputs;
  const tag = (key: string): string => (i.assumed.includes(key) ? ' (assumed)' : i.source[key] ? ` (from ${i.source[key]})` : '');
  const lines = [
    `cores ${fmtNum(i.cores)}${tag('cores')}, memory ${fmtInt(i.memoryMb)} MB${tag('memoryMb')}, traffic ${fmtInt(i.rps)} req/s${tag('rps')}`,
    `concurrency ${i.concurrency}${tag('concurrency')}, target latency ${fmtNum(i.targetLatencyMs)} ms${tag('targetLatencyMs')}${i.ccu === null ? '' : `, ${i.ccu} concurrent users`}`,
    `workload ${rec.workload}, CPU ${Math.round(rec.cpuRatio * 100)} %${rec.asyncCoverage === null ? '' : `, async coverage ${Math.round(rec.asyncCoverage * 100)} %`}`,
    `memory: ${rec.memory.baseMb ? `${fmtNum(rec.memory.baseMb)} MB base + ` : ''}${fmtNum(rec.memory.perWorkerMb)} MB per worker (${MEMORY_SOURCE[rec.memory.source]}), ${rec.memory.maxWorkers} fit`,
  ];
  if (i.assumed.length > 0) lines.push(`Assumed values are defaults: pass ${i.assumed.map(flagOf).join(', ')} for a sharper answer.`);
  return lines;
}

const MEMORY_SOURCE = { given: '--per-worker-memory', 'load-test': 'measured in the load tests', guide: 'the guide\'s estimate' } as const;

function flagOf(key: string): string {
  return ({ cores: '--cores', memoryMb: '--memory', rps: '--rps', concurrency: '--concurrency', targetLatencyMs: '--target-latency' } as Record<string, string>)[key] ?? key;
}

function runLines(rec: Recommendation): string[] {
  const compose = stringify(rec.compose).trimEnd().split('\n').map((l) => `  ${l}`);
  const scale = rec.cpuLimit === null ? [] : [`CPU limit ${rec.cpuLimit.toFixed(1)} cores, ${rec.replicas} replica(s)`];
  return [rec.command, ...scale, 'docker compose service settings:', ...compose];
}
