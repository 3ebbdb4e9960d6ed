// Behaviour suite: proves that `loopwise fix` keeps what each app does. For every app under apps/:
// run its requests (harness.py: TestClient, a local echo server, a temp SQLite database, blocking
// calls on the event loop recorded), apply `loopwise fix` to a temp copy, run them again, and check:
//   - the responses are identical;
//   - expect "clean": it blocked before, and nothing blocks on the loop afterwards;
//   - expect "left": whatever still blocks afterwards is still reported by `loopwise scan` (at a line
//     of the blocking call's stack), and the fix changed the app;
//   - expect "unchanged": nothing blocks and `loopwise fix` leaves every byte as it was;
//   - expect "same": nothing blocks; only the responses must match (concurrency fixes).
// Prints one line per app and ends with `N passed, N failed`; exit code 1 on any failure.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const APPS = join(__dirname, 'apps');
const CLI = join(ROOT, 'dist', 'cli.js');

interface Blocking { kind: string; frames: [string, number][] }
interface RunOut { responses: unknown[]; blocking: Blocking[] }
/**
 * `deferred`: a run-time read that a reported call set up and that happens later, at another line of
 * the fixed app (`requests.get(..., stream=True)` then `r.iter_content()`): `at` is covered by a
 * finding at `reportedAt` (file:line of the fixed app). Whether such a read blocks at all depends on
 * timing (the body may arrive with the headers), so without this the check would be flaky.
 */
interface Spec { expect: 'clean' | 'left' | 'unchanged' | 'same'; requests: unknown[]; deferred?: { at: string; reportedAt: string; why: string }[] }

function python(): string {
  for (const p of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(p, ['-c', 'import fastapi, httpx, requests, sqlalchemy'], { stdio: 'ignore' });
    if (r.status === 0) return p;
  }
  throw new Error('no python3 with fastapi, httpx, requests and sqlalchemy (apt-get install python3-fastapi python3-httpx python3-requests python3-sqlalchemy)');
}

function runApp(py: string, appDir: string, work: string, port: number): RunOut {
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ECHO_PORT: String(port) };
  const r = spawnSync(py, [join(__dirname, 'harness.py'), appDir, work], { encoding: 'utf8', timeout: 120_000, env });
  if (r.status !== 0) throw new Error(`harness failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as RunOut;
}

function files(dir: string): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const f of readdirSync(dir)) if (f.endsWith('.py')) m.set(f, readFileSync(join(dir, f)));
  return m;
}

function where(b: Blocking): string {
  return `${b.kind} at ${b.frames.map(([f, l]) => `${f}:${l}`).join(' < ')}`;
}

function check(py: string, name: string): string[] {
  const problems: string[] = [];
  const src = join(APPS, name);
  const spec = JSON.parse(readFileSync(join(src, 'spec.json'), 'utf8')) as Spec;
  const tmp = mkdtempSync(join(tmpdir(), `loopwise-behaviour-${name}-`));
  try {
    const before = join(tmp, 'before');
    const after = join(tmp, 'after');
    cpSync(src, before, { recursive: true });
    cpSync(src, after, { recursive: true });
    const original = files(after);
    const fix = spawnSync(process.execPath, [CLI, 'fix', after, '--no-config'], { encoding: 'utf8' });
    if (fix.status === 2) return [`loopwise fix failed: ${fix.stderr.trim()}`];
    const fixed = files(after);
    const changed = [...original].some(([f, b]) => !b.equals(fixed.get(f)!));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const b = runApp(py, before, join(tmp, 'work-before'), port);
    const a = runApp(py, after, join(tmp, 'work-after'), port);
    if (JSON.stringify(a.responses) !== JSON.stringify(b.responses)) {
      const k = b.responses.findIndex((r, i) => JSON.stringify(r) !== JSON.stringify(a.responses[i]));
      problems.push(`responses differ at #${k}: before ${JSON.stringify(b.responses[k])}, after ${JSON.stringify(a.responses[k])}`);
    }
    const rescan = spawnSync(process.execPath, [CLI, 'scan', after, '--format', 'json', '--no-config'], { encoding: 'utf8' });
    if (rescan.status === 2) return [`loopwise scan failed: ${rescan.stderr.trim()}`];
    const scan = JSON.parse(rescan.stdout) as { findings?: { file: string; line: number; code: string }[] };
    const reported = new Set((scan.findings ?? []).map((f) => `${f.file.split('/').pop()}:${f.line}`));
    // Anything still blocking must still be reported, at some line of its stack in the app.
    const coveredBy = new Map((spec.deferred ?? []).map((d) => [d.at, d.reportedAt]));
    const isReported = (at: string) => reported.has(at) || (coveredBy.has(at) && reported.has(coveredBy.get(at)!));
    for (const e of a.blocking) if (!e.frames.some(([f, l]) => isReported(`${f.split('/').pop()}:${l}`))) problems.push(`still blocks but the re-scan reports it clean: ${where(e)}`);
    switch (spec.expect) {
      case 'clean':
        if (!b.blocking.length) problems.push('nothing blocked before the fix (the app does not test a fix)');
        for (const e of a.blocking) problems.push(`blocks after the fix: ${where(e)}`);
        break;
      case 'left':
        if (!b.blocking.length) problems.push('nothing blocked before the fix');
        if (!a.blocking.length) problems.push('expected a blocker without a preferred fix to remain');
        if (!changed) problems.push('expected the fix to change the app');
        break;
      case 'unchanged':
        if (changed) problems.push('loopwise fix changed an app with nothing blocking');
        for (const e of [...b.blocking, ...a.blocking]) problems.push(`blocks: ${where(e)}`);
        break;
      case 'same':
        for (const e of [...b.blocking, ...a.blocking]) problems.push(`blocks: ${where(e)}`);
        if (!changed) problems.push('expected the fix to change the app');
        break;
      default:
        problems.push(`unknown expect ${String(spec.expect)}`);
    }
    const summary = `${spec.requests.length} requests, blocking calls on the loop ${b.blocking.length} -> ${a.blocking.length}, ${changed ? 'fixed' : 'unchanged'}`;
    if (!problems.length) console.log(`ok   ${name}: ${summary}`);
    return problems;
  } catch (err) {
    return [(err as Error).message];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function main(): void {
  const py = python();
  const only = process.argv.slice(2);
  const apps = readdirSync(APPS).filter((n) => !only.length || only.includes(n)).sort();
  let passed = 0;
  let failed = 0;
  for (const name of apps) {
    const problems = check(py, name);
    if (problems.length) {
      failed++;
      console.log(`FAIL ${name}:`);
      for (const p of problems) console.log(`     ${p}`);
    } else passed++;
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main();
