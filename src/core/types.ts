// Shared result types of the pure core. The JSON output of `loopwise scan` is built from these,
// so field names here are part of the public contract (see README, "JSON output").

export type Severity = 'error' | 'warning' | 'info';

/** 1-based line and column (columns count UTF-16 code units, as VS Code and SARIF do). */
export interface Position { line: number; column: number }
export interface Range { start: Position; end: Position }

/** A text edit on the file's text, by 0-based UTF-16 offsets into the decoded text. */
export interface TextEdit { start: number; end: number; newText: string }

/** What a fix does; tools match on this, never on the title. */
export type FixKind =
  | 'asyncio-sleep' | 'httpx' | 'thread' | 'threadpool' | 'thread-chain' | 'path-io' | 'plain-def'
  | 'process-pool' | 'gather' | 'noqa' | 'workers'
  | 'await' | 'keep-task' | 'log-guard';

export interface Fix {
  kind: FixKind;
  title: string;
  /** Set only when every condition under which the fix keeps behaviour was shown to hold (see fixes/safety.ts). */
  isPreferred: boolean;
  edits: TextEdit[];
  /** Extra explanation shown next to the fix (for example why a thread is used instead of a process). */
  note?: string;
}

export interface ChainHop {
  file: string; line: number; name: string;
  /** A SQLAlchemy listener the previous call runs (`after_insert`): the hop is the listener's definition. */
  event?: string;
  /** A property read (`svc.data`), not a call. */
  property?: boolean;
}

export type FunctionKind = 'route' | 'dependency' | 'middleware' | 'websocket' | 'exception-handler' | 'lifespan' | 'coroutine';

export interface Finding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  severity: Severity;
  message: string;
  /** Qualified name of the coroutine the finding is in (e.g. `weather` or `Service.run`). */
  function: string;
  /** `GET /weather` when the coroutine is a route, else null. */
  route: string | null;
  /** For transitive findings: each hop from the call site in the coroutine down to the root blocking call. */
  chain: ChainHop[];
  fixes: Fix[];
  /** The resolved callee, e.g. `requests.get`. */
  call: string;
  /** Offsets of the finding's call expression in the file text. */
  startOffset: number;
  endOffset: number;
  /** The message's parameters, so output can render it in another language (core/i18n/diagnostics.ts). */
  args?: Record<string, string>;
  /** LW301 only: the awaited calls share one AsyncSession, so asyncio.gather is not a safe fix. */
  sharesAsyncSession?: boolean;
  /** In test code, a script or an example: reported at `severity.test-code` (info) and left out of worker advice. */
  testCode?: boolean;
  /**
   * Transitive findings: the other blocking calls of the same family reached through the same call
   * (one finding per call site; `code` is the nearest one's). Each with its own code and chain.
   */
  also?: AlsoReached[];
}

export interface AlsoReached { code: string; call: string; chain: ChainHop[] }

export type Workload = 'io-bound' | 'cpu-bound' | 'mixed';

/**
 * Where a piece of estimated time is spent: CPU on the event loop, sync I/O blocking the loop, awaited
 * I/O, work offloaded to a thread or a process pool, sync work of a `def` handler in FastAPI's
 * threadpool, or the per-route framework overhead.
 */
export type CostWhere = 'loop' | 'blocking' | 'awaited' | 'thread' | 'pool' | 'threadpool' | 'overhead';

/** One line of a handler's estimate: the cost-table entry behind a figure (every figure is an estimate). */
export interface CostItem {
  /** Cost-table key (`ml`, `db`, `http`, `base`, ...). */
  kind: string;
  where: CostWhere;
  type: 'cpu' | 'io';
  calls: number;
  ms: number;
  /** `default`: the built-in table; `configured`: `[tool.loopwise.cost]` / settings; `code`: read from the call (`time.sleep(2)`). */
  source: 'default' | 'configured' | 'code';
}

export interface HandlerReport {
  file: string;
  line: number;
  name: string;
  kind: FunctionKind;
  route: string | null;
  async: boolean;
  cpuMs: number;
  ioMs: number;
  blockingMs: number;
  cpuRatio: number;
  workload: Workload;
  findings: number;
  /** In test code, a script or an example: left out of worker advice. */
  testCode?: boolean;
  /** The estimate's parts, one per cost-table entry and place; absent in hand-built reports. */
  costs?: CostItem[];
}

export interface FileNote {
  file: string;
  message: string;
  kind: 'skipped' | 'syntax-error' | 'encoding' | 'error';
  /** The file could not be analysed at all (unreadable, over the size limit): `loopwise scan` exits 2. */
  failed?: true;
}

export interface ScanSummary {
  files: number;
  skipped: number;
  findings: number;
  byCode: Record<string, number>;
  handlers: number;
  asyncHandlers: number;
  blockedHandlers: number;
}

export interface ScanResult {
  version: 1;
  findings: Finding[];
  handlers: HandlerReport[];
  notes: FileNote[];
  summary: ScanSummary;
}
