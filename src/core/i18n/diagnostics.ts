// Diagnostics in the user's language, rendered at output time from the finding's code and the
// parameters the analyzer stored (`Finding.args`), so the rule tables stay English-only data. A
// finding without parameters (or a language without a template) keeps its English message.
import type { Finding } from '../types';
import { fill, type Lang } from './index';

const ROLE_VI: Record<string, string> = {
  route: 'handler async',
  websocket: 'handler websocket async',
  middleware: 'middleware async',
  dependency: 'dependency async',
  'exception-handler': 'exception handler async',
  lifespan: 'hook startup/lifespan async',
  coroutine: 'coroutine',
  sync: 'hàm đồng bộ',
};

/** The rule tables' alternatives, by their English text. */
const ALTERNATIVE_VI: Record<string, string> = {
  'await an asyncio equivalent (asyncio.Lock, asyncio.Event, await asyncio.wrap_future(fut))': 'dùng bản asyncio tương đương (asyncio.Lock, asyncio.Event, await asyncio.wrap_future(fut))',
  'await an asyncio equivalent (asyncio.Lock, asyncio.Semaphore)': 'dùng bản asyncio tương đương (asyncio.Lock, asyncio.Semaphore)',
  'use an asyncio.Queue (await q.get()), or q.get_nowait()': 'dùng asyncio.Queue (await q.get()), hoặc q.get_nowait()',
  'await asyncio.to_thread(...) (bcrypt and hashlib release the GIL) or a ProcessPoolExecutor': 'dùng await asyncio.to_thread(...) (bcrypt và hashlib nhả GIL) hoặc một ProcessPoolExecutor',
  'do not read stdin in a server; pass the value in the request': 'không đọc stdin trong server; hãy truyền giá trị qua request',
  'run it in a ProcessPoolExecutor (await loop.run_in_executor(pool, ...)) or a model server': 'chạy nó trong ProcessPoolExecutor (await loop.run_in_executor(pool, ...)) hoặc một model server',
  'run it in a ProcessPoolExecutor (await loop.run_in_executor(pool, ...))': 'chạy nó trong ProcessPoolExecutor (await loop.run_in_executor(pool, ...))',
  'run it in a ProcessPoolExecutor, or precompute it outside the request': 'chạy nó trong ProcessPoolExecutor, hoặc tính trước bên ngoài request',
  'use .ainvoke / .abatch / .astream': 'dùng .ainvoke / .abatch / .astream',
  'use aioboto3 / aiobotocore, or await asyncio.to_thread(...)': 'dùng aioboto3 / aiobotocore, hoặc await asyncio.to_thread(...)',
  'use aiofiles / anyio.Path, or await asyncio.to_thread(...)': 'dùng aiofiles / anyio.Path, hoặc await asyncio.to_thread(...)',
  'use aiosmtplib, or FastAPI BackgroundTasks': 'dùng aiosmtplib, hoặc BackgroundTasks của FastAPI',
  'await asyncio.to_thread(id_token.verify_oauth2_token, ...), or verify with cached keys': 'dùng await asyncio.to_thread(id_token.verify_oauth2_token, ...), hoặc xác thực bằng khóa đã lưu đệm',
  'use await loader.aload(), or await asyncio.to_thread(loader.load)': 'dùng await loader.aload(), hoặc await asyncio.to_thread(loader.load)',
  'use an async driver (SQLAlchemy AsyncSession, asyncpg, aiomysql, aiosqlite), or a plain def handler': 'dùng driver async (SQLAlchemy AsyncSession, asyncpg, aiomysql, aiosqlite), hoặc một handler def thường',
  'use an async driver (SQLAlchemy AsyncSession, asyncpg, redis.asyncio, motor), or a plain def handler': 'dùng driver async (SQLAlchemy AsyncSession, asyncpg, redis.asyncio, motor), hoặc một handler def thường',
  'use an async driver (SQLAlchemy AsyncSession, asyncpg, aiomysql, aiosqlite), or await asyncio.to_thread(...)': 'dùng driver async (SQLAlchemy AsyncSession, asyncpg, aiomysql, aiosqlite), hoặc await asyncio.to_thread(...)',
  'use an async driver (SQLAlchemy AsyncSession, asyncpg, redis.asyncio, motor), or await asyncio.to_thread(...)': 'dùng driver async (SQLAlchemy AsyncSession, asyncpg, redis.asyncio, motor), hoặc await asyncio.to_thread(...)',
  'use aiosmtplib, or await asyncio.to_thread(...)': 'dùng aiosmtplib, hoặc await asyncio.to_thread(...)',
  'await asyncio.to_thread(...), or download once before the event loop starts': 'await asyncio.to_thread(...), hoặc tải một lần trước khi event loop chạy',
  'await asyncio.to_thread(input, ...), or pass the value in as an argument': 'dùng await asyncio.to_thread(input, ...), hoặc truyền giá trị vào qua tham số',
  'use anthropic.AsyncAnthropic': 'dùng anthropic.AsyncAnthropic',
  'use asyncssh / aioftp, or await asyncio.to_thread(...)': 'dùng asyncssh / aioftp, hoặc await asyncio.to_thread(...)',
  'await asyncio.to_thread(...), or download once at startup, off the event loop': 'await asyncio.to_thread(...), hoặc tải một lần lúc khởi động, ngoài event loop',
  'use await asyncio.create_subprocess_exec(...) and await proc.communicate()': 'dùng await asyncio.create_subprocess_exec(...) và await proc.communicate()',
  'use await asyncio.sleep(...) / asyncio primitives, or await asyncio.wrap_future(...)': 'dùng await asyncio.sleep(...) / các primitive của asyncio, hoặc await asyncio.wrap_future(...)',
  'use await asyncio.sleep(...)': 'dùng await asyncio.sleep(...)',
  'use elasticsearch.AsyncElasticsearch': 'dùng elasticsearch.AsyncElasticsearch',
  'use httpx.AsyncClient (await client.get(...)) or aiohttp': 'dùng httpx.AsyncClient (await client.get(...)) hoặc aiohttp',
  'use mem0.AsyncMemory / AsyncMemoryClient': 'dùng mem0.AsyncMemory / AsyncMemoryClient',
  'use motor / pymongo AsyncMongoClient': 'dùng motor / AsyncMongoClient của pymongo',
  'use openai.AsyncOpenAI (await client.chat.completions.create(...))': 'dùng openai.AsyncOpenAI (await client.chat.completions.create(...))',
  'use openai.AsyncOpenAI (await client.embeddings.create(...))': 'dùng openai.AsyncOpenAI (await client.embeddings.create(...))',
  'use redis.asyncio.Redis (await r.get(...))': 'dùng redis.asyncio.Redis (await r.get(...))',
  'use the async client (qdrant_client.AsyncQdrantClient, ...)': 'dùng client async (qdrant_client.AsyncQdrantClient, ...)',
  'use the async client, or await asyncio.to_thread(...)': 'dùng client async, hoặc await asyncio.to_thread(...)',
  'use the google-cloud async client, or await asyncio.to_thread(...)': 'dùng client async của google-cloud, hoặc await asyncio.to_thread(...)',
  'move it off the event loop (await asyncio.to_thread(...))': 'đưa nó ra khỏi event loop (await asyncio.to_thread(...))',
};

const VI = {
  blocking: '{what} chặn event loop trong {where}{lifespan}; {alternative}{hint}',
  cpu: '{what} nặng CPU và chặn event loop trong {where}{lifespan}; {alternative}{hint}',
  via: '{call} (qua {via})',
  also: '. Lệnh gọi này cũng dẫn tới {also}',
  lifespan: ' (chỉ chạy một lần khi khởi động)',
  test: ' (mã test: nó chỉ giữ event loop của test này, không phải một request đang được phục vụ)',
  script: ' (một script: nó chỉ giữ event loop riêng của script, không phải một request đang được phục vụ)',
  example: ' (mã ví dụ: nó giữ event loop của ví dụ, không phải của ứng dụng của bạn)',
  other: ' (được đánh dấu là mã test: nó chỉ giữ event loop của chính nó, không phải một request đang được phục vụ)',
  testSlow: ' (mã test: nó chỉ làm test này chậm hơn, không phải một request đang được phục vụ)',
  scriptSlow: ' (một script: nó chỉ làm script chậm hơn, không phải một request đang được phục vụ)',
  exampleSlow: ' (mã ví dụ: nó làm ví dụ chậm hơn, không phải ứng dụng của bạn)',
  otherSlow: ' (được đánh dấu là mã test: nó chỉ làm chính nó chậm hơn, không phải một request đang được phục vụ)',
  hint: '. Lệnh này chạy một lần cho mỗi phần tử của `{iter}` (N+1): hãy tải tất cả bằng một query (WHERE id IN (...))',
  nPlusOne: 'await {call}(...) chạy một lần cho mỗi phần tử của `{iter}`, lần lượt từng lệnh một (N+1) trong {where}; {fix}',
  nPlusOneShared: 'hãy tải tất cả bằng một query (WHERE id IN (...)); không nên dùng asyncio.gather ở đây: các lệnh gọi này dùng chung một AsyncSession',
  nPlusOneFree: 'gộp thành một lệnh gọi (WHERE id IN (...)) hoặc chạy đồng thời bằng asyncio.gather với giới hạn concurrency (asyncio.Semaphore)',
  module: 'mã cấp module',
  neverAwaited: '{call}(...) tạo một coroutine nhưng không bao giờ được await trong {where}: {advice}',
  neverAwaitedAsync: 'thân hàm của nó không bao giờ chạy; hãy thêm `await` (hoặc, để chạy nền, dùng asyncio.create_task(...) và giữ tham chiếu tới task)',
  neverAwaitedSync: 'thân hàm của nó không bao giờ chạy, và một hàm đồng bộ không thể await nó; hãy gọi nó bằng `await` từ một coroutine, hoặc bằng asyncio.run(...) ở nơi không có event loop nào đang chạy',
  droppedTask: 'task tạo bởi {call}(...) bị bỏ rơi trong {where}: event loop chỉ giữ tham chiếu yếu tới task, nên task có thể bị thu gom rác trước khi chạy xong và exception của nó không bao giờ được thấy; hãy giữ một tham chiếu (một set cấp module, với task.add_done_callback(set.discard)) hoặc dùng asyncio.TaskGroup',
  busyLoop: '`while {cond}:` trong {where} không bao giờ await: {effect}; hãy await thứ nó đang chờ (một asyncio.Event, lệnh get của queue) hoặc thêm `await asyncio.sleep(...)` trong vòng lặp',
  busyForever: 'vòng lặp không có lối ra và không bao giờ nhường quyền, nên worker ngừng phục vụ request',
  busyStuck: 'không gì trong thân vòng lặp thay đổi điều kiện và không task nào khác chạy được khi nó quay, nên nó giữ worker cho tới khi có thứ bên ngoài vòng lặp thay đổi',
  busyForeverTest: 'vòng lặp không có lối ra và không bao giờ nhường quyền, nên không gì khác trên event loop của nó chạy được nữa',
  busyStuckTest: 'không gì trong thân vòng lặp thay đổi điều kiện và không task nào khác chạy được khi nó quay, nên nó giữ event loop của nó cho tới khi có thứ bên ngoài vòng lặp thay đổi',
  perRequestLogging: '{call}(...) chạy ở mọi request trong {where}: mỗi request một dòng log tốn CPU (định dạng, lock của handler và thao tác ghi) trên event loop; chỉ log các request chậm hoặc lỗi (if elapsed > 0.5 or response.status_code >= 400)',
  syncLogHandler: '{kind} ghi đồng bộ trên thread gọi log, và {count} coroutine log qua `logging` trên event loop: mỗi bản ghi phải chờ {medium} ngay tại đó; hãy gắn logging.handlers.QueueHandler và chạy handler này trong logging.handlers.QueueListener',
  network: 'mạng',
  disk: 'đĩa',
};

/** The finding's message in `lang`; English, or any finding without parameters, is returned as it is. */
export function localizeMessage(f: Finding, lang: Lang): string {
  const a = f.args;
  if (lang === 'en' || !a) return f.message;
  const where = a.role === 'module' ? VI.module : `${ROLE_VI[a.role] ?? a.role} ${a.name}${a.route ? ` (${a.route})` : ''}`;
  const kind = a.test === 'test' || a.test === 'script' || a.test === 'example' || a.test === 'other' ? a.test : undefined;
  const test = kind ? VI[kind] : '';
  switch (a.shape) {
    case 'never-awaited': return fill(VI.neverAwaited, { call: a.call, where, advice: a.inCoroutine ? VI.neverAwaitedAsync : VI.neverAwaitedSync });
    case 'dropped-task': return fill(VI.droppedTask, { call: a.call, where });
    case 'busy-loop': return fill(VI.busyLoop, { cond: a.cond, where, effect: a.test ? (a.why === 'forever' ? VI.busyForeverTest : VI.busyStuckTest) : a.why === 'forever' ? VI.busyForever : VI.busyStuck });
    case 'per-request-logging': return fill(VI.perRequestLogging, { call: a.call, where });
    case 'sync-log-handler': return fill(VI.syncLogHandler, { kind: a.kind, count: a.count, medium: a.medium === 'network' ? VI.network : VI.disk });
  }
  if (a.shape === 'n-plus-one') {
    return fill(VI.nPlusOne, { call: a.call, iter: a.iter, where: where + (kind ? VI[`${kind}Slow`] : ''), fix: a.shared ? VI.nPlusOneShared : VI.nPlusOneFree });
  }
  if (a.shape === 'blocking' || a.shape === 'cpu') {
    return fill(VI[a.shape], {
      what: a.via ? fill(VI.via, { call: a.call, via: a.via }) : a.call,
      where,
      lifespan: (a.role === 'lifespan' ? VI.lifespan : '') + test,
      // A user's own hint (`[tool.loopwise.blocking]`) is shown as they wrote it.
      alternative: ALTERNATIVE_VI[a.alternative] ?? a.alternative,
      hint: (a.iter ? fill(VI.hint, { iter: a.iter }) : '') + (a.also ? fill(VI.also, { also: a.also }) : ''),
    });
  }
  return f.message;
}

/** The findings with their messages in `lang` (new objects; the input is not changed). */
export function localizeFindings<T extends Finding>(findings: T[], lang: Lang): T[] {
  return lang === 'en' ? findings : findings.map((f) => ({ ...f, message: localizeMessage(f, lang) }));
}
