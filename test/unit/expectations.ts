// Reads the expectations that fixture files state about themselves:
//   `# ### title` starts a section (one test each; text above the first header is a shared preamble),
//   `# expect: LW101` (or `LW101, LW301`) on a line says which codes a scan reports on that line.
export interface Section { title: string; text: string; expected: string[] }

const EXPECT = /#\s*expect:\s*([A-Z0-9, ]+)/;

export function expectedCodes(text: string, file?: string): string[] {
  const out: string[] = [];
  text.split(/\r\n|\n|\r/).forEach((line, i) => {
    const m = EXPECT.exec(line);
    if (!m) return;
    for (const code of m[1].split(/[ ,]+/).filter(Boolean)) out.push(`${file ? `${file}:` : ''}${i + 1}:${code}`);
  });
  return out.sort();
}

export function sections(text: string): Section[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  lines.forEach((l, i) => { if (l.startsWith('# ### ')) starts.push(i); });
  const preamble = lines.slice(0, starts[0] ?? lines.length);
  return starts.map((s, k) => {
    const body = lines.slice(s, starts[k + 1] ?? lines.length);
    const sectionText = [...preamble, ...body].join('\n');
    return { title: lines[s].slice(6).trim(), text: sectionText, expected: expectedCodes(sectionText) };
  });
}
