// SQLAlchemy event listeners that the ORM runs inside a flush, commit or execute. A coroutine that
// awaits `AsyncSession.commit()` runs the registered sync listeners on the event loop thread (the
// async session drives the sync one in a greenlet on the loop), and a sync session runs them right
// in the call: whatever a listener blocks on blocks the loop at that commit. Only listeners the
// scanned project registers, and only events that fire during flush, commit or execute, count.

/** `@event.listens_for(target, "after_insert")` and `event.listen(target, "after_insert", fn)`. */
export const LISTENS_FOR = new Set(['sqlalchemy.event.listens_for', 'sqlalchemy.event.api.listens_for']);
export const LISTEN = new Set(['sqlalchemy.event.listen', 'sqlalchemy.event.api.listen']);

/** Mapper and session events a flush runs. */
const FLUSH = ['before_insert', 'after_insert', 'before_update', 'after_update', 'before_delete', 'after_delete', 'before_flush', 'after_flush', 'after_flush_postexec'];
/** Engine and connection events around each statement. */
const EXECUTE = ['before_execute', 'after_execute', 'before_cursor_execute', 'after_cursor_execute'];

/** The session or connection method -> the events it fires (a commit flushes first). */
export const EVENTS_FIRED_BY: Record<string, readonly string[]> = {
  commit: [...FLUSH, 'before_commit', 'after_commit', ...EXECUTE],
  flush: [...FLUSH, ...EXECUTE],
  execute: EXECUTE,
};

/** The receivers whose commit/flush/execute fire those events (sync and async sessions and connections). */
const RECEIVERS = new Set(['sqlalchemy.orm.Session()', 'sqlalchemy.ext.asyncio.AsyncSession()', 'sqlalchemy.engine.Connection()', 'sqlalchemy.ext.asyncio.AsyncConnection()']);

/** The events a call fires, from its canonical name (`sqlalchemy.ext.asyncio.AsyncSession().commit`). */
export function eventsFiredBy(canonical: string): readonly string[] | undefined {
  const dot = canonical.lastIndexOf('.');
  if (dot < 0 || !RECEIVERS.has(canonical.slice(0, dot))) return undefined;
  return EVENTS_FIRED_BY[canonical.slice(dot + 1)];
}
