// The pre-commit hook and the composite GitHub Action, exercised as their hosts run them: the hook's
// entry with staged file names appended, and the action's run script with the runner's environment.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const BLOCKING = 'import time\nfrom fastapi import FastAPI\napp = FastAPI()\n\n@app.get("/a")\nasync def a():\n    time.sleep(1)\n';
const CLEAN = 'import asyncio\nasync def b():\n    await asyncio.sleep(1)\n';

describe('pre-commit hook and GitHub Action', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loopwise-hooks-'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'bad.py'), BLOCKING);
    writeFileSync(join(dir, 'app', 'ok.py'), CLEAN);
  });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('.pre-commit-hooks.yaml: a node hook on python files whose entry is `loopwise scan`; the entry run on staged names', () => {
    const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string; language: string; types: string[] }[];
    assert.equal(hooks.length, 1);
    const h = hooks[0];
    assert.deepEqual([h.id, h.language, h.types], ['loopwise', 'node', ['python']]);
    const [bin, ...args] = h.entry.split(' ');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.bin[bin], 'dist/cli.js', 'the entry names the package\'s bin');
    // pre-commit appends the staged file names to the entry.
    const run = (files: string[]) => spawnSync(process.execPath, [join(ROOT, pkg.bin[bin]), ...args, ...files], { cwd: dir, encoding: 'utf8' });
    const bad = run(['app/bad.py', 'app/ok.py']);
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stdout, /^app\/bad\.py:7:5: LW102 time\.sleep/m);
    assert.equal(run(['app/ok.py']).status, 0);
    // A file the project excludes stays excluded when pre-commit names it.
    writeFileSync(join(dir, 'loopwise.toml'), 'exclude = ["app/bad.py"]\n');
    assert.equal(run(['app/bad.py', 'app/ok.py']).status, 0);
  });

  it('action.yml: a composite action whose scan step runs scripts/action-scan.sh, then uploads SARIF, then fails on findings', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { runs: { using: string; steps: { id?: string; run?: string; uses?: string; with?: Record<string, string>; if?: string }[] } };
    assert.equal(action.runs.using, 'composite');
    const steps = action.runs.steps;
    const scan = steps.findIndex((s) => s.id === 'scan');
    const upload = steps.findIndex((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    const fail = steps.findIndex((s) => /exit 1/.test(s.run ?? ''));
    assert.ok(scan >= 0 && upload > scan && fail > upload, 'scan, then upload, then fail');
    assert.match(steps[scan].run!, /scripts\/action-scan\.sh/);
    assert.equal(steps[upload].with!.sarif_file, '${{ steps.scan.outputs.sarif-file }}');
    // It fails on the scan's exit code (which follows --fail-on), not on the count of findings (info ones included).
    assert.match(steps[fail].if!, /steps\.scan\.outputs\.exit-code == '1'/);
  });

  it('the action\'s run script writes SARIF, annotations and the outputs; exit 2 only on a usage error', () => {
    const out = join(dir, 'github_output');
    const env = (extra: Record<string, string>) => ({ ...process.env, GITHUB_ACTION_PATH: ROOT, GITHUB_OUTPUT: out, ...extra });
    const r = spawnSync('bash', [join(ROOT, 'scripts', 'action-scan.sh')], { cwd: dir, encoding: 'utf8', env: env({ INPUT_PATH: 'app', INPUT_SARIF_FILE: 'out.sarif', INPUT_ARGS: '--ignore LW301' }) });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^::warning file=app\/bad\.py,line=7,col=5,endLine=7,endColumn=18,title=Loopwise LW102 \(blocking-sleep\)::LW102 time\.sleep/m);
    const sarif = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8'));
    assert.deepEqual(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId), ['LW102']);
    assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), ['findings=1', 'exit-code=1', 'sarif-file=out.sarif']);
    rmSync(out);
    const bad = spawnSync('bash', [join(ROOT, 'scripts', 'action-scan.sh')], { cwd: dir, encoding: 'utf8', env: env({ INPUT_PATH: 'app', INPUT_ARGS: '--select LW999' }) });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown rule code "LW999"/);
    assert.match(readFileSync(out, 'utf8'), /^exit-code=2$/m);
  });
});
