// The cost tables: an estimated time and type per kind of call (defaults from the founding guide:
// ML inference 500 ms CPU, chunking 50 ms CPU, embedding 200 ms, vector search 100 ms, LLM 100 ms,
// DB 50 ms, HTTP 200 ms, bcrypt 250 ms), the awaited async-client calls by kind, and CPU work too
// small to report that still counts in the estimate. cost.ts reads them.
import { PatternTable, type CostKind } from './table';

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
