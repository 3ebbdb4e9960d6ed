// Command-line parsing for every subcommand through node:util.parseArgs, with one error style
// ("unknown option --frob", "option --format needs a value") and a --help built from the same
// table, so a flag cannot exist without its line in the help.
import { parseArgs as nodeParseArgs } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface FlagSpec {
  /** `list`: repeatable and comma-separated; `repeat`: repeatable, each value kept whole. */
  type: 'string' | 'boolean' | 'list' | 'repeat';
  /** Placeholder shown in the help (`N`, `GLOB`). */
  value?: string;
  help: string;
  short?: string;
}

export interface CommandSpec {
  name: string;
  /** One line: what the command does. */
  summary: string;
  /** Positional arguments as shown in the usage line. */
  args: string;
  flags: Record<string, FlagSpec>;
  /** Paragraphs after the flag list. */
  epilog?: string;
}

export interface Parsed { flags: Record<string, string | boolean | string[]>; positional: string[] }

const HELP_FLAG: FlagSpec = { type: 'boolean', short: 'h', help: 'show this help and exit' };

export function parseCommand(argv: string[], spec: CommandSpec): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, f] of Object.entries({ ...spec.flags, help: HELP_FLAG })) {
    options[name] = { type: f.type === 'boolean' ? 'boolean' : 'string', ...(f.type === 'list' || f.type === 'repeat' ? { multiple: true } : {}), ...(f.short ? { short: f.short } : {}) };
  }
  let parsed: ReturnType<typeof nodeParseArgs>;
  try {
    parsed = nodeParseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(parseErrorMessage(err as Error & { code?: string }));
  }
  const flags: Parsed['flags'] = {};
  for (const [name, v] of Object.entries(parsed.values)) {
    if (v === undefined) continue;
    const kind = name === 'help' ? 'boolean' : spec.flags[name].type;
    if (kind === 'repeat') flags[name] = v as string[];
    else if (kind === 'list') flags[name] = (v as string[]).flatMap(splitList).map((s) => s.trim()).filter(Boolean);
    else if (kind === 'string' && v === '') throw new UsageError(`option --${name} needs a value`);
    else flags[name] = v as string | boolean;
  }
  return { flags, positional: parsed.positionals };
}

/** `a,b` -> [a, b], keeping commas inside braces (`{x,y}/**` is one glob). */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\') i++;
    else if (ch === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    else if (ch === ',' && depth === 0) { out.push(value.slice(start, i)); start = i + 1; }
  }
  out.push(value.slice(start));
  return out;
}

/** node:util.parseArgs messages in our one style. */
function parseErrorMessage(err: Error & { code?: string }): string {
  const name = /'(?:-\w, )?(-{1,2}[^' ,]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': return `unknown option ${name ?? err.message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing|ambiguous/.test(err.message)) return `option ${name} needs a value`;
      return `option ${name} does not take a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': return `unexpected argument: ${err.message}`;
    default: return err.message;
  }
}

export function helpText(spec: CommandSpec, version: string): string {
  const rows = Object.entries({ ...spec.flags, help: HELP_FLAG }).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'boolean' ? '' : ` ${f.value ?? 'VALUE'}`}${f.type === 'list' ? ',...' : f.type === 'repeat' ? ' (repeatable)' : ''}`;
    return [left, f.help] as const;
  });
  const width = Math.min(34, Math.max(...rows.map(([l]) => l.length)) + 2);
  const lines = rows.map(([l, h]) => (l.length + 2 > width ? `  ${l}\n  ${' '.repeat(width)}${h}` : `  ${l.padEnd(width)}${h}`));
  return `loopwise ${spec.name} (loopwise ${version}): ${spec.summary}\n\nUsage: loopwise ${[spec.name, spec.args].filter(Boolean).join(' ')} [OPTIONS]\n\nOptions:\n${lines.join('\n')}\n${spec.epilog ? `\n${spec.epilog.trim()}\n` : ''}`;
}
