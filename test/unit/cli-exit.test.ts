// The end of a batch command (cli/command.ts exitWhenFlushed): the process exits as soon as its output
// is handed to the OS, skipping Node's teardown, and its output is still whole.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitWhenFlushed, type Flushable } from '../../src/cli/command';

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');

/** A stream whose writes complete when `flush` is called, as a pipe's do once its reader has taken them. */
class SlowStream implements Flushable {
  writableLength = 0;
  private waiting: (() => void)[] = [];
  log: string[];
  constructor(log: string[], queued: number) { this.log = log; this.writableLength = queued; }
  write(chunk: string, cb: () => void): boolean {
    this.log.push(`write ${JSON.stringify(chunk)}`);
    this.waiting.push(cb);
    return false;
  }
  flush(): void {
    this.log.push('flushed');
    this.writableLength = 0;
    for (const cb of this.waiting.splice(0)) cb();
  }
}

describe('exitWhenFlushed', () => {
  it('exits only after the writes a stream still queues have completed', async () => {
    const log: string[] = [];
    const out = new SlowStream(log, 70_000);
    const err = new SlowStream(log, 0);
    const done = exitWhenFlushed(1, [out, err], (code) => { log.push(`exit ${code}`); });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(log, ['write ""'], 'waiting for standard output: not exited yet');
    out.flush();
    await done;
    // Standard error had nothing queued: it is not written to.
    assert.deepEqual(log, ['write ""', 'flushed', 'exit 1']);
  });

  it('exits at once when nothing is queued, or the stream is destroyed', async () => {
    const log: string[] = [];
    const gone = Object.assign(new SlowStream(log, 10), { destroyed: true });
    await exitWhenFlushed(2, [new SlowStream(log, 0), gone], (code) => { log.push(`exit ${code}`); });
    assert.deepEqual(log, ['exit 2']);
  });
});

describe('the built CLI ends as soon as its output is out', function () {
  this.timeout(120_000);
  let dir: string;
  let app: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'loopwise-exit-'));
    // Enough findings that each format's output is larger than a pipe holds (64 KiB on Linux).
    app = join(dir, 'app');
    mkdirSync(app);
    const handler = (i: number) => `@app.get("/r${i}")\nasync def route_${i}(city: str):\n    r = requests.get("https://x", params={"q": city})\n    time.sleep(1)\n    return r.json()\n`;
    for (let f = 0; f < 40; f++) {
      writeFileSync(join(app, `m${f}.py`), `import time\nimport requests\nfrom fastapi import FastAPI\napp = FastAPI()\n\n${Array.from({ length: 12 }, (_, i) => handler(i)).join('\n')}`);
    }
  });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  /** The CLI with its output to a file: written synchronously, the reference. */
  const toFile = (cli: string, args: string[]) => {
    const file = join(dir, 'out.txt');
    const fd = openSync(file, 'w');
    try {
      const r = spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      return { code: r.status, stdout: readFileSync(file, 'utf8'), stderr: r.stderr };
    } finally { closeSync(fd); }
  };
  /**
   * The CLI with its output to a pipe whose reader starts only after `waitMs` (a shell pipeline: a
   * reader in this process would buffer and, once the child exits, drop what it had not taken): the
   * CLI's writes beyond what the pipe holds (64 KiB) wait in the process.
   */
  const toSlowPipe = (cli: string, args: string[], waitMs: number, nodeFlags: string[] = []) => {
    const out = join(dir, 'piped.txt');
    const status = join(dir, 'status.txt');
    const command = `"$0" "$@" 2>"${join(dir, 'err.txt')}" | { sleep ${waitMs / 1000}; cat > "${out}"; }; echo "\${PIPESTATUS[0]}" > "${status}"`;
    const r = spawnSync('bash', ['-c', command, process.execPath, ...nodeFlags, cli, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return { code: Number(readFileSync(status, 'utf8')), stdout: readFileSync(out, 'utf8'), stderr: readFileSync(join(dir, 'err.txt'), 'utf8') };
  };

  for (const format of ['json', 'sarif', 'text']) {
    it(`writes the whole ${format} report to a slow pipe, with the exit codes unchanged`, () => {
      const cli = join(DIST, 'cli.js');
      const args = ['scan', app, '--format', format, '--no-config'];
      const ref = toFile(cli, args);
      assert.equal(ref.code, 1, ref.stderr);
      assert.ok(Buffer.byteLength(ref.stdout) > 128 * 1024, `${Buffer.byteLength(ref.stdout)} bytes: more than a pipe holds`);
      const slow = toSlowPipe(cli, args, 1500);
      assert.equal(slow.code, 1, slow.stderr);
      assert.equal(slow.stdout.length, ref.stdout.length);
      assert.ok(slow.stdout === ref.stdout);
      if (format !== 'text') JSON.parse(slow.stdout);
      const zero = toSlowPipe(cli, [...args, '--exit-zero'], 300);
      assert.equal(zero.code, 0, zero.stderr);
      assert.ok(zero.stdout === ref.stdout);
    });
  }

  it('a scan, and a usage error, exit through process.exit (Node\'s teardown skipped)', () => {
    const r = toSlowPipe(join(DIST, 'cli.js'), ['scan', app, '--format', 'json', '--exit-zero', '--no-config'], 0, ['--trace-exit']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /Exited the environment with code 0/);
    const usage = spawnSync(process.execPath, ['--trace-exit', join(DIST, 'cli.js'), 'scan', '--frobnicate'], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /unknown option --frobnicate[\s\S]*Exited the environment with code 2/);
  });
});
