// LW102: sleeping or waiting on a thread primitive parks the whole event loop, not just this request.
import type { RuleFamily } from './table';

export const blockingSleep: RuleFamily = {
  code: 'LW102',
  name: 'blocking-sleep',
  title: 'Blocking sleep or wait',
  family: 'blocking',
  alternative: 'use await asyncio.sleep(...) / asyncio primitives, or await asyncio.wrap_future(...)',
  entries: [
    { kind: 'sleep', calls: ['time.sleep'], alternative: 'use await asyncio.sleep(...)' },
    {
      kind: 'wait',
      calls: ['threading.{Lock,RLock}().acquire'],
      nonBlockingWhen: [{ arg: 'blocking', pos: 0 }, { arg: 'timeout', pos: 1 }],
      // `lock = threading.Lock()` then `lock.acquire()` with nothing run in between: no other thread can
      // hold a lock made a moment ago, so it returns at once (a Semaphore(0) would not: not listed).
      freshIsFree: true,
      alternative: 'await an asyncio equivalent (asyncio.Lock, asyncio.Semaphore)',
    },
    {
      kind: 'wait',
      calls: ['threading.{Semaphore,BoundedSemaphore}().acquire'],
      nonBlockingWhen: [{ arg: 'blocking', pos: 0 }, { arg: 'timeout', pos: 1 }],
      alternative: 'await an asyncio equivalent (asyncio.Lock, asyncio.Semaphore)',
    },
    {
      kind: 'wait',
      calls: ['queue.{Queue,LifoQueue,PriorityQueue,SimpleQueue}().get'],
      nonBlockingWhen: [{ arg: 'block', pos: 0 }, { arg: 'timeout', pos: 1 }],
      alternative: 'use an asyncio.Queue (await q.get()), or q.get_nowait()',
    },
    {
      kind: 'wait',
      calls: [
        'threading.{Event,Condition,Barrier}().wait',
        'threading.Condition().wait_for',
        'threading.Thread().join',
        'multiprocessing.Process().join',
        'multiprocessing.pool.{Pool,ThreadPool}().{map,starmap,apply,imap}',
        'concurrent.futures.Future().result',
        'concurrent.futures.{wait,as_completed}',
        'queue.{Queue,LifoQueue,PriorityQueue,SimpleQueue}().join',
      ],
      alternative: 'await an asyncio equivalent (asyncio.Lock, asyncio.Event, await asyncio.wrap_future(fut))',
    },
    { kind: 'wait', calls: ['builtins.input'], alternative: 'do not read stdin in a server; pass the value in the request', testAlternative: 'await asyncio.to_thread(input, ...), or pass the value in as an argument' },
  ],
};
