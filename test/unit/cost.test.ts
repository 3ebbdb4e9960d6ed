// The cost model on the founding guide's own examples, and user overrides.
import { strict as assert } from 'node:assert';
import { Analyzer } from '../../src/core/analyzer';
import type { HandlerReport } from '../../src/core/types';

const GUIDE = `
import joblib
import httpx
import redis.asyncio as aredis
from fastapi import Depends, FastAPI
from langchain_text_splitters import RecursiveCharacterTextSplitter
from openai import AsyncOpenAI
from qdrant_client import AsyncQdrantClient
from sqlalchemy.ext.asyncio import AsyncSession

app = FastAPI()
model = joblib.load("model.pkl")
cache = aredis.Redis()
http = httpx.AsyncClient()
llm = AsyncOpenAI()
qdrant = AsyncQdrantClient()
splitter = RecursiveCharacterTextSplitter()


async def get_db():
    yield None


@app.post("/predict")
async def predict(x: float):
    return model.predict([[x]])


@app.get("/users")
async def users(db: AsyncSession = Depends(get_db)):
    rows = await db.execute("select 1")
    cached = await cache.get("users")
    profile = await http.get("https://api")
    return rows, cached, profile


@app.post("/search")
async def search(text: str, db: AsyncSession = Depends(get_db)):
    chunks = splitter.split_text(text)
    vec = await llm.embeddings.create(model="e", input=chunks)
    hits = await qdrant.search("mem", vec)
    answer = await llm.chat.completions.create(model="m", messages=[])
    await db.execute("insert")
    return answer
`;

describe('cost model', () => {
  let analyzer: Analyzer;
  let handlers: Record<string, HandlerReport>;
  before(async () => {
    analyzer = await Analyzer.create();
    const r = analyzer.analyze([{ path: 'guide.py', text: GUIDE, module: 'guide', isPackage: false }]);
    handlers = Object.fromEntries(r.handlers.map((h) => [h.name, h]));
  });

  it('/predict with model.predict is cpu-bound (500 ms CPU)', () => {
    const h = handlers.predict;
    assert.equal(h.workload, 'cpu-bound');
    assert.equal(h.cpuMs, 510);
    assert.equal(h.blockingMs, 0);
  });

  it('/users awaiting db, redis and an API is io-bound at about 3 % CPU', () => {
    const h = handlers.users;
    assert.equal(h.workload, 'io-bound');
    assert.deepEqual([h.cpuMs, h.ioMs, h.blockingMs], [10, 50 + 10 + 200, 0]);
    assert.ok(h.cpuRatio > 0.02 && h.cpuRatio < 0.05, String(h.cpuRatio));
  });

  it('the mem0 /search flow is io-bound at about 10 % CPU', () => {
    const h = handlers.search;
    assert.equal(h.workload, 'io-bound');
    assert.deepEqual([h.cpuMs, h.ioMs], [10 + 50, 200 + 100 + 100 + 50]);
    assert.ok(h.cpuRatio >= 0.08 && h.cpuRatio <= 0.13, String(h.cpuRatio));
  });

  it('user overrides change the estimate', () => {
    const r = analyzer.analyze([{ path: 'guide.py', text: GUIDE, module: 'guide', isPackage: false }], { cost: { ml: 50, base: 0 } });
    const h = r.handlers.find((x) => x.name === 'predict')!;
    assert.equal(h.cpuMs, 50);
  });

  it('a blocking sleep counts its literal duration as blocking time', () => {
    const src = 'import time\nasync def f():\n    time.sleep(2)\n    time.sleep(0.5)\n';
    const r = analyzer.analyze([{ path: 's.py', text: src, module: 's', isPackage: false }]);
    assert.equal(r.handlers[0].blockingMs, 2500);
    assert.equal(r.handlers[0].kind, 'coroutine');
  });

  it('without cost items (a scan) the reports are the same less their costs list', async () => {
    // Awaited, blocking, CPU, threadpool (a def route and dependency), offloaded (a thread, a coroutine)
    // and per-request overhead parts, summed through a helper coroutine and dependencies.
    const extra = `
import asyncio, time, requests
from fastapi import Depends, FastAPI
from guide import get_db, model
app = FastAPI()

def load(x):
    time.sleep(0.2)
    return requests.get("https://api").json()

async def helper(x):
    await asyncio.sleep(0.1)
    return model.predict([[x]])

def sync_dep():
    return load(1)

@app.get("/a")
async def a(x: float, d=Depends(sync_dep), db=Depends(get_db)):
    y = await helper(x)
    z = await asyncio.to_thread(load, x)
    w = await asyncio.create_task(helper(y))
    return load(z), w

@app.get("/b")
def b(d=Depends(sync_dep)):
    time.sleep(1)
    return load(2)
`;
    const files = [
      { path: 'guide.py', text: GUIDE, module: 'guide', isPackage: false },
      { path: 'extra.py', text: extra, module: 'extra', isPackage: false },
    ];
    const full = (await Analyzer.create()).analyze(files);
    const bare = (await Analyzer.create()).analyze(files, { costItems: false });
    assert.equal(bare.handlers.length, full.handlers.length);
    assert.ok(full.handlers.length >= 8, String(full.handlers.length));
    // Every kind of part is there to be left out.
    const wheres = new Set(full.handlers.flatMap((h) => h.costs!.map((c) => c.where)));
    assert.deepEqual([...wheres].sort(), ['awaited', 'blocking', 'loop', 'overhead', 'thread', 'threadpool']);
    for (const [i, h] of full.handlers.entries()) {
      assert.ok(Array.isArray(h.costs), h.name);
      const { costs: _costs, ...rest } = h;
      assert.deepEqual(bare.handlers[i], rest);
      assert.equal('costs' in bare.handlers[i], false);
    }
    assert.deepEqual(bare.findings, full.findings);
    assert.deepEqual(bare.summary, full.summary);
  });
});
