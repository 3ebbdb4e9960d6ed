// The cost model: an estimated time and type for each kind of call, so each coroutine gets a CPU /
// I/O / blocking split. Defaults come from the founding guide (ML inference 500 ms CPU, chunking
// 50 ms CPU, embedding 200 ms, vector search 100 ms, LLM 100 ms, DB 50 ms, HTTP 200 ms, bcrypt 250 ms).
// Users override any figure (`[tool.loopwise.cost]`, or the `loopwise.cost` setting).
import { PatternTable, type CostKind } from './rules/table';

export type CostType = 'cpu' | 'io';

export interface CostEntry { ms: number; type: CostType }

export const DEFAULT_COSTS: Record<CostKind | 'base' | 'await', CostEntry> = {
  http: { ms: 200, type: 'io' },
  db: { ms: 50, type: 'io' },
  cache: { ms: 10, type: 'io' },
  llm: { ms: 100, type: 'io' },
  embed: { ms: 200, type: 'io' },
  vector: { ms: 100, type: 'io' },
  cloud: { ms: 100, type: 'io' },
  mail: { ms: 200, type: 'io' },
  file: { ms: 5, type: 'io' },
  subprocess: { ms: 100, type: 'io' },
  sleep: { ms: 100, type: 'io' },
  wait: { ms: 100, type: 'io' },
  io: { ms: 50, type: 'io' },
  ml: { ms: 500, type: 'cpu' },
  chunk: { ms: 50, type: 'cpu' },
  dataframe: { ms: 100, type: 'cpu' },
  numeric: { ms: 50, type: 'cpu' },
  crypto: { ms: 250, type: 'cpu' },
  image: { ms: 100, type: 'cpu' },
  /** Per-request framework work (validation, serialization) of a route: the guide's 10 ms in /users. */
  base: { ms: 10, type: 'cpu' },
  /** An awaited call the model does not know: counted as I/O. */
  await: { ms: 50, type: 'io' },
};

export type CostOverrides = Partial<Record<keyof typeof DEFAULT_COSTS, number>>;

export class CostModel {
  readonly costs: Record<string, CostEntry>;
  /** Keys the user set (`[tool.loopwise.cost]` or the `loopwise.cost` setting). */
  readonly configured = new Set<string>();
  constructor(overrides: CostOverrides = {}) {
    this.costs = { ...DEFAULT_COSTS };
    for (const [k, v] of Object.entries(overrides)) {
      const base = this.costs[k];
      if (base && typeof v === 'number' && Number.isFinite(v) && v >= 0) { this.costs[k] = { ...base, ms: v }; this.configured.add(k); }
    }
  }
  of(kind: string): CostEntry {
    return this.costs[kind] ?? this.costs.await;
  }
  /** The table key a kind is priced by (unknown kinds fall back to `await`). */
  keyOf(kind: string): string {
    return this.costs[kind] ? kind : 'await';
  }
  sourceOf(kind: string): 'default' | 'configured' {
    return this.configured.has(this.keyOf(kind)) ? 'configured' : 'default';
  }
}

/** Per-kind time of a piece of code, so a handler's figures can name the cost-table entries behind them. */
export type KindTimes = Record<string, { ms: number; calls: number }>;

export function addKind(into: KindTimes, kind: string, ms: number, calls = 1): void {
  const k = (into[kind] ??= { ms: 0, calls: 0 });
  k.ms += ms; k.calls += calls;
}

export function mergeKinds(into: KindTimes, from: KindTimes): void {
  for (const [k, v] of Object.entries(from)) addKind(into, k, v.ms, v.calls);
}

/** Awaited calls on async clients, by kind, so awaited time is attributed (LLM vs DB vs HTTP). */
const ASYNC_IO = new PatternTable<CostKind>();
const add = (kind: CostKind, ...patterns: string[]) => { for (const p of patterns) ASYNC_IO.add(p, kind); };
add('embed', 'openai.{AsyncOpenAI,AsyncAzureOpenAI}().embeddings.create', '*.{aembed_query,aembed_documents}');
add('llm', 'openai.{AsyncOpenAI,AsyncAzureOpenAI}().*', 'anthropic.AsyncAnthropic().*', '*.{ainvoke,abatch,agenerate,apredict}', 'mem0.AsyncMemory().*');
add('http', 'httpx.AsyncClient().*', 'aiohttp.ClientSession().*', 'aiohttp.request');
add('db', 'sqlalchemy.ext.asyncio.AsyncSession().*', 'sqlalchemy.ext.asyncio.AsyncEngine().*', 'asyncpg.*', 'databases.Database().*', 'motor.*', 'beanie.*', 'tortoise.*', 'pymongo.AsyncMongoClient().*');
add('cache', 'redis.asyncio.Redis().*', 'aioredis.*');
add('vector', 'qdrant_client.AsyncQdrantClient().*', '*.{asimilarity_search,amax_marginal_relevance_search}');
add('cloud', 'aioboto3.*', 'aiobotocore.*');
add('mail', 'aiosmtplib.*');
add('file', 'aiofiles.*', 'anyio.Path().*');

export function asyncIoKind(canonical: string): CostKind | undefined {
  return ASYNC_IO.get(canonical)?.value;
}

/** CPU work that is too small to report but counts in the estimate (text chunking, tokenizing). */
const CPU_ONLY = new PatternTable<CostKind>();
CPU_ONLY.add('{langchain_text_splitters,langchain.text_splitter}.*().{split_text,split_documents,create_documents}', 'chunk');
CPU_ONLY.add('tiktoken.*().{encode,decode}', 'chunk');
CPU_ONLY.add('nltk.{sent_tokenize,word_tokenize}', 'chunk');
export function cpuOnlyKind(canonical: string): CostKind | undefined {
  return CPU_ONLY.get(canonical)?.value;
}
