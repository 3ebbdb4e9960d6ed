// English and Vietnamese: the catalogues are complete and consistent, diagnostics are rendered from
// code + parameters at output time, and the CLI picks the language from --lang or the locale.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { runRecommend } from '../../src/cli/recommend';
import { runScan } from '../../src/cli/scan';
import { fill, langOf, missingKeys, resolveLang, translator } from '../../src/core/i18n';
import { ADVICE_EN, ADVICE_VI } from '../../src/core/i18n/advice';
import { localizeMessage } from '../../src/core/i18n/diagnostics';
import { FAMILIES } from '../../src/core/rules';
import type { Finding } from '../../src/core/types';

const PROJECTS = join(__dirname, '..', 'fixtures', 'projects');
const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function finding(args: Record<string, string>, message = 'english message'): Finding {
  return {
    file: 'a.py', line: 1, column: 1, endLine: 1, endColumn: 2, code: 'LW101', severity: 'warning', message, function: 'f',
    route: null, chain: [], fixes: [], call: 'x', startOffset: 0, endOffset: 1, args,
  };
}

async function capture(run: (argv: string[], out: (s: string) => void) => Promise<number>, argv: string[]): Promise<string> {
  let out = '';
  await run(argv, (s) => { out += s; });
  return out;
}

describe('i18n: catalogues', () => {
  it('every English advice text has a Vietnamese one with the same placeholders', () => {
    assert.deepEqual(missingKeys('vi'), []);
    for (const [key, en] of Object.entries(ADVICE_EN)) assert.deepEqual(placeholders(ADVICE_VI[key]), placeholders(en), key);
  });

  it('every alternative in the rule tables has a Vietnamese text', () => {
    const alternatives = new Set(FAMILIES.flatMap((f) => [f.alternative, f.testAlternative, ...f.entries.flatMap((e) => [e.alternative, e.testAlternative])].filter((a): a is string => !!a)));
    for (const alt of alternatives) {
      const vi = localizeMessage(finding({ shape: 'blocking', call: 'x', via: '', role: 'route', name: 'f', route: '', alternative: alt, iter: '' }), 'vi');
      assert.ok(!vi.includes(alt), `no Vietnamese text for "${alt}"`);
    }
  });

  it('picks the language from a tag or the POSIX locale variables, English otherwise', () => {
    assert.deepEqual(['vi', 'vi-VN', 'vi_VN.UTF-8', 'VI', 'en-US', 'fr', '', undefined].map(langOf), ['vi', 'vi', 'vi', 'vi', 'en', 'en', 'en', 'en']);
    assert.equal(langOf('video'), 'en');
    assert.equal(resolveLang(undefined, { LANG: 'vi_VN.UTF-8' }), 'vi');
    assert.equal(resolveLang(undefined, { LC_ALL: 'C', LANG: 'vi_VN.UTF-8' }), 'en', 'LC_ALL wins over LANG');
    assert.equal(resolveLang('en', { LC_ALL: 'vi_VN' }), 'en', '--lang wins over the locale');
  });

  it('fills parameters and leaves a missing one visible; unknown keys fall back to English, then to the key', () => {
    assert.equal(fill('{a} and {b}', { a: 1 }), '1 and {b}');
    assert.equal(translator('vi')('r.todo'), 'Cần làm');
    assert.equal(translator('vi')('no.such.key'), 'no.such.key');
  });
});

describe('i18n: diagnostics rendered at output time', () => {
  it('a blocking call through helpers, in a route', () => {
    const f = finding({ shape: 'blocking', call: 'requests.get', via: 'geocode() -> fetch_json()', role: 'route', name: 'weather', route: 'GET /weather', alternative: 'use httpx.AsyncClient (await client.get(...)) or aiohttp', iter: '' });
    assert.equal(localizeMessage(f, 'vi'), 'requests.get (qua geocode() -> fetch_json()) chặn event loop trong handler async weather (GET /weather); dùng httpx.AsyncClient (await client.get(...)) hoặc aiohttp');
    assert.equal(localizeMessage(f, 'en'), 'english message');
  });

  it('CPU work in a lifespan hook, a sync query per row, and a user hint kept as written', () => {
    const cpu = finding({ shape: 'cpu', call: 'model.predict', via: '', role: 'lifespan', name: 'startup', route: '', alternative: 'my own hint', iter: '' });
    assert.equal(localizeMessage(cpu, 'vi'), 'model.predict nặng CPU và chặn event loop trong hook startup/lifespan async startup (chỉ chạy một lần khi khởi động); my own hint');
    const n1 = finding({ shape: 'blocking', call: 'db.query', via: '', role: 'route', name: 'f', route: '', alternative: 'use await asyncio.sleep(...)', iter: 'ids' });
    assert.match(localizeMessage(n1, 'vi'), /\. Lệnh này chạy một lần cho mỗi phần tử của `ids` \(N\+1\)/);
  });

  it('N+1, with and without a shared AsyncSession; a finding without parameters keeps its message', () => {
    const base = { shape: 'n-plus-one', call: 'db.get_posts', iter: 'users', role: 'route', name: 'feed', route: 'GET /feed' };
    assert.match(localizeMessage(finding({ ...base, shared: '' }), 'vi'), /^await db\.get_posts\(\.\.\.\) chạy một lần cho mỗi phần tử của `users`.*asyncio\.gather với giới hạn concurrency/);
    assert.match(localizeMessage(finding({ ...base, shared: '1' }), 'vi'), /không nên dùng asyncio\.gather ở đây: các lệnh gọi này dùng chung một AsyncSession$/);
    const plain = { ...finding({}), args: undefined };
    assert.equal(localizeMessage(plain, 'vi'), 'english message');
  });

  it('the analyzer stores the parameters of real findings, and JSON follows --lang', async () => {
    const json = JSON.parse(await capture(runScan, [join(PROJECTS, 'chains'), '--format', 'json', '--lang', 'vi']));
    assert.match(json.findings[0].message, /chặn event loop trong handler async weather \(GET \/weather\); dùng httpx\.AsyncClient/);
    const en = JSON.parse(await capture(runScan, [join(PROJECTS, 'chains'), '--format', 'json']));
    assert.match(en.findings[0].message, /blocks the event loop in async handler weather \(GET \/weather\); use httpx\.AsyncClient/);
  });
});

describe('i18n: the loop rules (LW302-LW304, LW501)', function () {
  this.timeout(60_000);
  const RULES = join(__dirname, '..', 'fixtures', 'rules');

  it('every finding of the four rule fixtures has a Vietnamese message, and English is unchanged', async () => {
    for (const name of ['never-awaited.py', 'dropped-task.py', 'busy-loop.py', 'per-request-logging.py']) {
      const vi = JSON.parse(await capture(runScan, [join(RULES, name), '--format', 'json', '--lang', 'vi', '--no-config', '--exit-zero']));
      const en = JSON.parse(await capture(runScan, [join(RULES, name), '--format', 'json', '--no-config', '--exit-zero']));
      const codes = new Set<string>(vi.findings.map((f: Finding) => f.code));
      assert.ok([...codes].some((c) => /^LW(30[234]|501)$/.test(c)), `${name}: no loop-rule finding`);
      vi.findings.forEach((f: Finding, i: number) => {
        if (!/^LW(30[234]|501)$/.test(f.code)) return;
        assert.notEqual(f.message, en.findings[i].message, `${name}:${f.line} ${f.code} stayed English`);
        assert.match(f.message, / trong |ghi đồng bộ/, `${name}:${f.line} ${f.code}: ${f.message}`);
        assert.doesNotMatch(f.message, /\{\w+\}/, `${name}:${f.line} ${f.code} left a placeholder: ${f.message}`);
      });
    }
  });

  it('renders each shape', () => {
    assert.equal(localizeMessage(finding({ shape: 'dropped-task', call: 'asyncio.create_task', role: 'route', name: 'ping', route: 'GET /ping' }), 'vi'),
      'task tạo bởi asyncio.create_task(...) bị bỏ rơi trong handler async ping (GET /ping): event loop chỉ giữ tham chiếu yếu tới task, nên task có thể bị thu gom rác trước khi chạy xong và exception của nó không bao giờ được thấy; hãy giữ một tham chiếu (một set cấp module, với task.add_done_callback(set.discard)) hoặc dùng asyncio.TaskGroup');
    assert.match(localizeMessage(finding({ shape: 'never-awaited', call: 'notify', role: 'sync', name: 'job', route: '', inCoroutine: '' }), 'vi'), /^notify\(\.\.\.\) tạo một coroutine nhưng không bao giờ được await trong hàm đồng bộ job: .*asyncio\.run/);
    assert.match(localizeMessage(finding({ shape: 'never-awaited', call: 'notify', role: 'module', name: '', route: '', inCoroutine: '' }), 'vi'), / trong mã cấp module: /);
    assert.match(localizeMessage(finding({ shape: 'busy-loop', cond: 'True', why: 'forever', role: 'coroutine', name: 'poll', route: '' }), 'vi'), /^`while True:` trong coroutine poll không bao giờ await: vòng lặp không có lối ra/);
    assert.match(localizeMessage(finding({ shape: 'sync-log-handler', kind: 'SMTPHandler', count: '3', medium: 'network', role: 'module', name: '', route: '' }), 'vi'), /^SMTPHandler ghi đồng bộ .* 3 coroutine .* chờ mạng ngay tại đó/);
  });
});

describe('i18n: the CLI', function () {
  this.timeout(60_000);
  const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL, LC_MESSAGES: process.env.LC_MESSAGES };
  afterEach(() => { for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; } });

  it('text output follows LANG; JSON stays English unless --lang says otherwise', async () => {
    delete process.env.LC_ALL; delete process.env.LC_MESSAGES;
    process.env.LANG = 'vi_VN.UTF-8';
    const text = await capture(runRecommend, [join(PROJECTS, 'advice-n-plus-one')]);
    assert.match(text, /^Khuyến nghị: 1 Uvicorn worker; hãy fix các vấn đề trước\n/);
    assert.match(text, /\n {2}\[1\] Code có 100 % async\/await\? -> không: 1 vòng lặp N\+1 trong 1 coroutine \(độ phủ async 67 %\)\n/);
    assert.match(text, /1\. Fix 1 LW301 vòng lặp await N\+1 \(root cause cần fix trước khi scale\)/);
    const json = JSON.parse(await capture(runRecommend, [join(PROJECTS, 'advice-n-plus-one'), '--format', 'json']));
    assert.equal(json.lang, 'en');
    const vi = JSON.parse(await capture(runRecommend, [join(PROJECTS, 'advice-n-plus-one'), '--format', 'json', '--lang', 'vi']));
    assert.equal(vi.lang, 'vi');
    assert.match(vi.reason, /^1 vấn đề cần fix trước khi scale/);
    const scan = await capture(runScan, [join(PROJECTS, 'advice-blocking-http')]);
    assert.match(scan, /LW101 requests\.get chặn event loop trong handler async call_api \(GET \/external\)/);
  });

  it('--lang en overrides a Vietnamese locale; an unknown language is a usage error', async () => {
    process.env.LANG = 'vi_VN.UTF-8';
    assert.match(await capture(runRecommend, [join(PROJECTS, 'advice-hello'), '--lang', 'en']), /^Recommended: 1 Uvicorn worker\n/);
    await assert.rejects(capture(runRecommend, [join(PROJECTS, 'advice-hello'), '--lang', 'fr']), /--lang must be en or vi, not "fr"/);
    await assert.rejects(capture(runScan, [join(PROJECTS, 'advice-hello'), '--lang', 'fr']), /--lang must be en or vi, not "fr"/);
  });
});
