// A small argument parser shared by the subcommands: `--flag value`, `--flag=value`, booleans,
// repeatable flags; anything unknown is a usage error (exit 2) rather than a silent default.
export class UsageError extends Error {}

export interface FlagSpec { [name: string]: 'string' | 'boolean' | 'list' }

export interface Parsed { flags: Record<string, string | boolean | string[]>; positional: string[] }

export function parseArgs(argv: string[], spec: FlagSpec): Parsed {
  const flags: Parsed['flags'] = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { positional.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { positional.push(a); continue; }
    const eq = a.indexOf('=');
    const name = (eq > 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option ${a.slice(0, eq > 0 ? eq : undefined)}`);
    if (kind === 'boolean') { flags[name] = true; continue; }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    if (kind === 'list') {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(...value.split(',').map((s) => s.trim()).filter(Boolean));
      flags[name] = list;
    } else flags[name] = value;
  }
  return { flags, positional };
}
