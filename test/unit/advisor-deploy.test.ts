// Deployment readers on fixture Compose, Dockerfile, Procfile, gunicorn.conf.py and Kubernetes files.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  analyzeCommand, deploymentLimits, findDeploymentFiles, parseDeploymentText, readDeployment, tokenizeShell, type DeploymentInfo,
} from '../../src/advisor/deploy';

const root = join(__dirname, '..', 'fixtures', 'deploy');
const rel = (file: string): string => relative(root, file).split('\\').join('/');

function byFile(dir: string): Map<string, DeploymentInfo[]> {
  const map = new Map<string, DeploymentInfo[]>();
  for (const d of readDeployment([join(root, dir)]).deployments) map.set(rel(d.file), [...(map.get(rel(d.file)) ?? []), d]);
  return map;
}

/** The text a fix would replace: must be exactly the worker number. */
function spanText(d: DeploymentInfo): string {
  assert.ok(d.workerSpan, `no worker span in ${d.file}`);
  return readFileSync(d.file, 'utf8').slice(d.workerSpan.start, d.workerSpan.end);
}

describe('advisor deploy: discovery', () => {
  it('finds deployment files two levels down, skipping node_modules and deeper folders', () => {
    const files = findDeploymentFiles([join(root, 'shop')]).map(rel).sort();
    assert.deepEqual(files, ['shop/Dockerfile', 'shop/Procfile', 'shop/docker-compose.yml', 'shop/gunicorn.conf.py', 'shop/k8s/deployment.yaml']);
  });

  it('accepts a single file path', () => {
    assert.deepEqual(findDeploymentFiles([join(root, 'shop', 'Procfile')]).map(rel), ['shop/Procfile']);
  });
});

describe('advisor deploy: Docker Compose', () => {
  const shop = byFile('shop');

  it('reads a string command with limits, loop and app module, and points at the worker number', () => {
    const api = shop.get('shop/docker-compose.yml')!.find((d) => d.name === 'api')!;
    assert.equal(api.currentWorkers, 4);
    assert.equal(api.workersFrom, 'flag');
    assert.equal(spanText(api), '4');
    assert.deepEqual([api.line, api.column], [4, 73]);
    assert.equal(api.cpus, 4);
    assert.equal(api.memoryMb, 1024);
    assert.equal(api.loop, 'uvloop');
    assert.equal(api.appModule, 'shop.main:app');
  });

  it('reads an exec-form command with gunicorn -w and service-level cpus / mem_limit', () => {
    const worker = shop.get('shop/docker-compose.yml')!.find((d) => d.name === 'worker')!;
    assert.equal(worker.currentWorkers, 3);
    assert.equal(spanText(worker), '3');
    assert.equal(worker.cpus, 1.5);
    assert.equal(worker.memoryMb, 512);
  });

  it('ignores services that neither run the server nor are built here (the database limits)', () => {
    assert.deepEqual(shop.get('shop/docker-compose.yml')!.map((d) => d.name), ['api', 'worker']);
  });

  it('reads a folded block command inside sh -c, where the flag beats WEB_CONCURRENCY', () => {
    const [web, envonly] = byFile('shell').get('shell/compose.yaml')!;
    assert.equal(web.currentWorkers, 2);
    assert.equal(web.workersFrom, 'flag');
    assert.equal(spanText(web), '2');
    assert.equal(web.commandText, 'uvicorn app.api:app --host 0.0.0.0 --workers 2');
    assert.equal(envonly.currentWorkers, 4);
    assert.equal(envonly.workersFrom, 'env');
    assert.equal(spanText(envonly), '4');
  });
});

describe('advisor deploy: Dockerfile, Procfile, gunicorn.conf.py', () => {
  it('reads the exec-form CMD; its flag wins over ENV WEB_CONCURRENCY', () => {
    const [d] = byFile('shop').get('shop/Dockerfile')!;
    assert.equal(d.currentWorkers, 2);
    assert.equal(d.workersFrom, 'flag');
    assert.equal(d.line, 8);
    assert.equal(spanText(d), '2');
  });

  it('reads a shell-form CMD continued over several lines', () => {
    const [d] = byFile('shell').get('shell/Dockerfile')!;
    assert.equal(d.currentWorkers, 6);
    assert.equal(d.line, 5);
    assert.equal(spanText(d), '6');
    assert.equal(d.appModule, 'app.api:app');
  });

  it('falls back to ENV WEB_CONCURRENCY when CMD has no count', () => {
    const [d] = parseDeploymentText('FROM x\nENV WEB_CONCURRENCY 3\nCMD uvicorn main:app\n', '/tmp/Dockerfile').deployments;
    assert.equal(d.currentWorkers, 3);
    assert.equal(d.workersFrom, 'env');
    assert.equal(d.line, 2);
  });

  it('reads the web process of a Procfile and skips other processes', () => {
    const procs = byFile('shop').get('shop/Procfile')!;
    assert.deepEqual(procs.map((p) => [p.name, p.currentWorkers, p.line]), [['web', 3, 1]]);
    assert.equal(spanText(procs[0]), '3');
  });

  it('reads workers = N from gunicorn.conf.py and leaves a computed count unknown', () => {
    const [conf] = byFile('shop').get('shop/gunicorn.conf.py')!;
    assert.deepEqual([conf.currentWorkers, conf.line, conf.appModule], [5, 4, 'shop.main:app']);
    assert.equal(spanText(conf), '5');
    const [computed] = byFile('shell').get('shell/gunicorn.conf.py')!;
    assert.equal(computed.currentWorkers, undefined);
    assert.equal(computed.commandText, 'workers = multiprocessing.cpu_count() * 2 + 1');
  });
});

describe('advisor deploy: Kubernetes', () => {
  it('reads the Deployment of a multi-document file: command + args, millicores and Gi', () => {
    const [d] = byFile('shop').get('shop/k8s/deployment.yaml')!;
    assert.equal(d.kind, 'kubernetes');
    assert.equal(d.name, 'api');
    assert.equal(d.currentWorkers, 4);
    assert.equal(spanText(d), '4');
    assert.equal(d.line, 28);
    assert.equal(d.cpus, 0.5);
    assert.equal(d.memoryMb, 1024);
  });

  it('reads WEB_CONCURRENCY from the container env', () => {
    const text = 'kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: WEB_CONCURRENCY\n              value: "3"\n';
    const [d] = parseDeploymentText(text, '/tmp/app.yaml').deployments;
    assert.equal(d.currentWorkers, 3);
    assert.equal(text.slice(d.workerSpan!.start, d.workerSpan!.end), '3');
  });
});

describe('advisor deploy: bad files and command lines', () => {
  it('turns malformed YAML and unknown units into notes, never a throw', () => {
    const r = readDeployment([join(root, 'broken')]);
    assert.equal(r.notes.length, 2);
    assert.match(r.notes.find((n) => n.includes('docker-compose.yml'))!, /malformed YAML/);
    assert.match(r.notes.find((n) => n.includes('deploy.yaml'))!, /unknown unit "X"/);
    // The manifest's worker count is still read even though its memory limit was not.
    assert.deepEqual(r.deployments.map((d) => [d.kind, d.currentWorkers, d.memoryMb]), [['kubernetes', 2, undefined]]);
  });

  it('understands python -m, env prefixes, -wN, and ignores --bind host:port as the app', () => {
    const cmd = (s: string) => analyzeCommand(tokenizeShell(s, 0));
    assert.equal(cmd('python -m uvicorn main:app --workers 3')?.workers, 3);
    const env = cmd('WEB_CONCURRENCY=5 gunicorn --bind 0.0.0.0:8000 api:app')!;
    assert.deepEqual([env.workers, env.workersFrom, env.appModule], [5, 'env', 'api:app']);
    assert.equal(cmd('gunicorn main:app -w4')?.workers, 4);
    assert.equal(cmd('uvicorn main:app --workers $WEB_CONCURRENCY')?.workers, undefined);
    assert.equal(cmd('python manage.py runserver'), undefined);
    assert.equal(cmd('uvicorn main:create_app() --loop=asyncio')?.loop, 'asyncio');
  });

  it('takes the first stated CPU and memory limits for the inputs', () => {
    const limits = deploymentLimits(readDeployment([join(root, 'shop')]).deployments);
    assert.equal(limits.cores?.value, 4);
    assert.equal(limits.memoryMb?.value, 1024);
    assert.match(limits.cores!.at, /docker-compose\.yml:4$/);
  });
});
