// The text report and the JSON shape of a Recommendation.
import { strict as assert } from 'node:assert';
import type { ScanResult } from '../../src/core/types';
import { formatRecommendationJson, formatRecommendationText, makeInputs, recommend, type DeploymentInfo } from '../../src/advisor';

const scan = (findings: ScanResult['findings'] = []): ScanResult => ({
  version: 1, findings, notes: [],
  handlers: [{ file: 'app/main.py', line: 3, name: 'search', kind: 'route', route: 'POST /search', async: true, cpuMs: 50, ioMs: 450, blockingMs: 0, cpuRatio: 0.1, workload: 'io-bound', findings: findings.length }],
  summary: { files: 1, skipped: 0, findings: findings.length, byCode: {}, handlers: 1, asyncHandlers: 1, blockedHandlers: 0 },
});
const lw101 = (): ScanResult['findings'][number] => ({
  file: 'a.py', line: 1, column: 1, endLine: 1, endColumn: 2, code: 'LW101', severity: 'warning', message: '', function: 'search',
  route: 'POST /search', chain: [], fixes: [], call: 'requests.get', startOffset: 0, endOffset: 1,
});
const compose: DeploymentInfo = { file: 'docker-compose-app.yml', line: 7, column: 60, kind: 'compose', currentWorkers: 4, appModule: 'main:app', workerSpan: { start: 1, end: 2 } };

describe('advisor format: text', () => {
  const rec = recommend(scan(), makeInputs({ cores: 4, ccu: 30 }), [compose]);
  const text = formatRecommendationText(rec);

  it('opens with the number and its one-line reason', () => {
    const [first, second] = text.split('\n');
    assert.equal(first, 'Recommended: 1 Uvicorn worker');
    assert.match(second, /^ {2}async I\/O-bound app \(CPU 10 %\) at 100 req\/s: keep 1 worker \(estimated\)$/);
  });

  it('lists the actions numbered, then the trace as steps with their reasons', () => {
    assert.match(text, /What to do\n {2}1\. Raise the container CPU limit from 4 to 6\.0 cores/);
    assert.match(text, /\n {2}\[1\] Is the code 100 % async\/await\? -> yes/);
    assert.match(text, /\n {2}\[4\] Traffic level\? -> 100 req\/s < 5,000: keep 1 worker \(traffic assumed; pass --rps or a load test\)\n {6}One event loop/);
    assert.ok(text.indexOf('[3]') < text.indexOf('[4]'));
  });

  it('shows assumptions, the command, the compose snippet, deployment files and warnings', () => {
    assert.match(text, /memory 2,048 MB \(assumed\)/);
    assert.match(text, /pass --memory, --rps, --concurrency, --target-latency/);
    assert.match(text, /uvicorn main:app --host 0\.0\.0\.0 --port 8000 --workers 1 --loop uvloop/);
    assert.match(text, / {4}deploy:\n {6}resources:\n {8}limits:\n {10}cpus: "6\.0"\n {10}memory: 2G/);
    assert.match(text, /Deployment files\n {2}docker-compose-app\.yml:7: 4 -> 1 worker\(s\)/);
    assert.match(text, /Warnings\n {2}- Deployment files run a different worker count/);
  });

  it('says "for now" while blocking calls are pending, and shows the load-test matrix', () => {
    const blocked = recommend(scan([lw101()]),
      makeInputs({ cores: 4, rps: 12000, loadTests: [{ workers: 1, rps: 8000, p99Ms: 100 }, { workers: 2, rps: 8200, p99Ms: 95 }] }));
    const t = formatRecommendationText(blocked);
    assert.match(t, /^Recommended: 1 Uvicorn worker; fix the findings first\n/, 'the flat load test keeps 1 after the fix too');
    assert.match(t, /Load tests\n {2}workers +req\/s +p99 +CPU +memory +vs prev +vs first +verdict\n {2}1 +8,000 +100 ms +- +- +- +- +baseline\n {2}2 +8,200 +95 ms .*\+2\.5 % .*no gain/);
    const later = formatRecommendationText(recommend(scan([lw101()]), makeInputs({ cores: 4, rps: 12000 })));
    assert.match(later, /^Recommended: 1 Uvicorn worker until the fixes land; after `loopwise fix`: 2 Uvicorn workers\n/);
  });
});

describe('advisor format: per-handler lines', () => {
  it('shows the 10 heaviest handlers and counts the rest; JSON keeps every one', () => {
    const many: ScanResult = { ...scan(), handlers: Array.from({ length: 14 }, (_, i) => ({ ...scan().handlers[0], line: i + 1, name: `h${i}`, route: `GET /h${i}`, cpuMs: i, ioMs: 100 })) };
    const rec = recommend(many, makeInputs());
    const text = formatRecommendationText(rec);
    const block = text.slice(text.indexOf('Per handler (estimated)'), text.indexOf('\n\nInputs'));
    assert.equal(block.split('\n').length, 12);
    assert.match(block, /^Per handler \(estimated\)\n {2}GET \/h13: I\/O-bound, CPU 13 ms on the loop/);
    assert.match(block, /\n {2}\+4 more \(recommend --format json lists every handler\)$/);
    assert.equal(rec.handlers.length, 14);
  });
});

describe('advisor format: JSON', () => {
  it('is the Recommendation with its stable field names', () => {
    const rec = recommend(scan(), makeInputs({ ccu: 80 }));
    const json = JSON.parse(formatRecommendationJson(rec)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).sort(), [
      'actions', 'afterFix', 'afterFixWorkers', 'asyncCoverage', 'command', 'compose', 'cpuLimit', 'cpuRatio', 'deployment', 'estimates', 'fixFirst',
      'handlers', 'inputs', 'lang', 'memory', 'processPool', 'reason', 'replicas', 'trace', 'warnings', 'workers', 'workload',
    ]);
    assert.deepEqual(json.afterFix, { workers: 1, processPool: 0, source: 'unchanged', findingsLeft: 0, workload: 'io-bound' });
    assert.equal((json.estimates as { estimated: boolean }).estimated, true);
    assert.deepEqual((json.handlers as { route: string; estimated: boolean }[]).map((h) => [h.route, h.estimated]), [['POST /search', true]]);
    assert.deepEqual(json.compose, { deploy: { resources: { limits: { cpus: '6.4', memory: '2G' } } } });
    const inputs = json.inputs as Record<string, unknown>;
    assert.deepEqual(inputs.fromDeployment, []);
    assert.ok(Array.isArray(inputs.assumed));
    assert.deepEqual([json.cpuLimit, json.replicas], [6.4, 2]);
  });
});
