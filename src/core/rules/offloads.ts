// Where a call's work runs: calls that hand a callable to a thread (an offload is not a blocking call,
// and what it runs is not followed as a direct call), loop methods that run a callback ON the event
// loop (followed like a direct call), and decorators that make a sync function run in a thread.

/**
 * Calls that run their callable argument off the event loop; `arg` is the callable's position.
 * `run_in_executor` on any loop object is offloadOf's (position 1).
 */
export const OFFLOADS: Record<string, { arg: number }> = {
  'asyncio.to_thread': { arg: 0 },
  'fastapi.concurrency.run_in_threadpool': { arg: 0 },
  'starlette.concurrency.run_in_threadpool': { arg: 0 },
  'anyio.to_thread.run_sync': { arg: 0 },
  'asgiref.sync.sync_to_async': { arg: 0 },
  'fastapi.BackgroundTasks().add_task': { arg: 0 },
  'starlette.background.BackgroundTasks().add_task': { arg: 0 },
  'starlette.background.BackgroundTask': { arg: 0 },
  'fastapi.background.BackgroundTasks().add_task': { arg: 0 },
};

/** The offload a call is (`loop.run_in_executor(pool, fn)` on any loop object), or undefined. */
export function offloadOf(canonical: string): { arg: number } | undefined {
  return OFFLOAD_MAP.get(canonical) ?? (canonical.endsWith('.run_in_executor') ? { arg: 1 } : undefined);
}

/** OFFLOADS as a Map: a keyed read of an object by a name made at run time costs more (it is looked up as a property name). */
const OFFLOAD_MAP = new Map(Object.entries(OFFLOADS));

/**
 * Loop methods that run a sync callback ON the event loop later (`loop.call_soon(cb)`): whatever the
 * callback blocks on blocks the loop, so it is followed like a direct call. Value: the callback's position.
 */
export const LOOP_CALLBACKS = new Map([['call_soon', 0], ['call_soon_threadsafe', 0], ['call_later', 1], ['call_at', 1]]);

/** Decorators that turn a sync function into an awaitable that runs in a thread. */
export const OFFLOAD_DECORATORS = new Set(['asgiref.sync.sync_to_async', 'channels.db.database_sync_to_async']);
