// Deterministic benchmark inputs: a 10k-line FastAPI module and a 500-file project (~4.4 MB).
// The code is realistic in shape (routers, dependencies, pydantic models, service classes, sync
// helpers, loops, comprehensions, docstrings) with a few blocking calls among many clean lines, so
// both Loopwise and Ruff's ASYNC rules have something to find. Same seed -> same bytes.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = ['item', 'order', 'user', 'invoice', 'product', 'cart', 'payment', 'shipment', 'review', 'coupon', 'account', 'report', 'ticket', 'session', 'profile', 'address'];
const FIELDS = ['name', 'price', 'quantity', 'status', 'created_at', 'updated_at', 'owner_id', 'total', 'currency', 'notes', 'email', 'country', 'sku', 'weight'];
const TYPES = ['str', 'int', 'float', 'bool', 'datetime', 'Optional[str]', 'list[int]', 'dict[str, Any]'];

const HEADER = `from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import time
from datetime import datetime
from typing import Any, Optional

import httpx
import requests
from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
`;

class Gen {
  private r: () => number;
  private n = 0;
  constructor(seed: number) { this.r = rng(seed); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.r() * xs.length)]; }
  int(lo: number, hi: number): number { return lo + Math.floor(this.r() * (hi - lo + 1)); }
  chance(p: number): boolean { return this.r() < p; }
  id(): number { return this.n++; }

  model(): string {
    const noun = this.pick(NOUNS);
    const name = `${cap(noun)}Schema${this.id()}`;
    const fields = Array.from({ length: this.int(3, 7) }, () => `    ${this.pick(FIELDS)}_${this.int(0, 9)}: ${this.pick(TYPES)}`);
    return `class ${name}(BaseModel):\n    """A ${noun} as the API returns it."""\n\n${fields.join('\n')}\n\n    def label(self) -> str:\n        return f"${noun}:{self!r}"\n`;
  }

  /** A pure helper: many clean lines (the bulk of real code). */
  helper(): string {
    const name = `compute_${this.pick(NOUNS)}_${this.id()}`;
    const lines = [
      `def ${name}(rows: list[dict[str, Any]], factor: float = 1.0) -> dict[str, Any]:`,
      `    """Aggregates ${this.pick(FIELDS)} over the rows."""`,
      `    total = 0.0`,
      `    seen: set[str] = set()`,
      `    for row in rows:`,
      `        key = str(row.get("${this.pick(FIELDS)}", ""))`,
      `        if key in seen:`,
      `            continue`,
      `        seen.add(key)`,
      `        total += float(row.get("${this.pick(FIELDS)}", 0)) * factor`,
    ];
    for (let i = this.int(2, 8); i > 0; i--) {
      lines.push(this.pick([
        `    values = [r["${this.pick(FIELDS)}"] for r in rows if r.get("${this.pick(FIELDS)}") is not None]`,
        `    ratio = total / max(len(rows), 1)  # average per row`,
        `    names = sorted({str(r.get("name", "")) for r in rows})`,
        `    if total > ${this.int(10, 1000)}:\n        log.debug("large total %s", total)`,
        `    payload = {"count": len(rows), "total": round(total, 2), "unique": len(seen)}`,
        `    stamp = datetime.utcnow().isoformat()`,
        `    text = json.dumps({"t": total}, sort_keys=True)`,
      ]));
    }
    lines.push(`    return {"total": total, "unique": len(seen)}`);
    return lines.join('\n') + '\n';
  }

  /** A sync helper that does blocking I/O (found transitively when a coroutine calls it). */
  syncIo(): { name: string; src: string } {
    const name = `fetch_${this.pick(NOUNS)}_${this.id()}`;
    const body = this.pick([
      `    resp = requests.get(f"https://api.example.com/${this.pick(NOUNS)}/{key}", timeout=5)\n    resp.raise_for_status()\n    return resp.json()`,
      `    time.sleep(0.05)\n    return {"key": key}`,
      `    with open(f"/var/data/{key}.json") as fh:\n        return json.load(fh)`,
      `    out = subprocess.run(["convert", key], capture_output=True, check=False)\n    return {"rc": out.returncode}`,
      `    return {"key": key, "ok": True}`,
      `    return {"key": key, "ok": True}`,
    ]);
    return { name, src: `def ${name}(key: str) -> dict[str, Any]:\n    """Loads one record."""\n${body}\n` };
  }

  service(): { name: string; src: string } {
    const name = `${cap(this.pick(NOUNS))}Service${this.id()}`;
    const m1 = this.pick(NOUNS);
    return {
      name,
      src: `class ${name}:
    """Business logic around the ${m1} table."""

    def __init__(self, db: Session) -> None:
        self.db = db
        self.client = httpx.AsyncClient(timeout=10)

    async def get(self, key: int) -> dict[str, Any]:
        resp = await self.client.get(f"https://svc.example.com/${m1}/{key}")
        return resp.json()

    def list_sync(self, limit: int = 50) -> list[Any]:
        rows = self.db.execute("SELECT * FROM ${m1} LIMIT :n", {"n": limit}).fetchall()
        return [dict(r) for r in rows]

    async def refresh(self, keys: list[int]) -> int:
        count = 0
        for k in keys:
            data = await self.get(k)
            count += len(data)
        return count
`,
    };
  }

  dependency(): { name: string; src: string } {
    const name = `get_${this.pick(NOUNS)}_ctx_${this.id()}`;
    const isAsync = this.chance(0.5);
    return {
      name,
      src: `${isAsync ? 'async ' : ''}def ${name}(request: Request) -> dict[str, Any]:
    token = request.headers.get("authorization", "")
    if not token:
        raise HTTPException(status_code=401, detail="missing token")
    return {"token": token, "path": request.url.path}
`,
    };
  }

  route(deps: string[], helpers: string[], syncIo: string[], services: string[]): string {
    const noun = this.pick(NOUNS);
    const id = this.id();
    const verb = this.pick(['get', 'get', 'get', 'post', 'put', 'delete']);
    const isAsync = this.chance(0.8);
    const dep = deps.length ? this.pick(deps) : undefined;
    const lines = [
      `@router.${verb}("/${noun}s/{${noun}_id}/v${id}")`,
      `${isAsync ? 'async ' : ''}def ${verb}_${noun}_${id}(${noun}_id: int${dep ? `, ctx: dict = Depends(${dep})` : ''}) -> dict[str, Any]:`,
      `    """${cap(verb)} one ${noun}."""`,
      `    if ${noun}_id < 0:`,
      `        raise HTTPException(status_code=404, detail="${noun} not found")`,
    ];
    for (let i = this.int(3, 9); i > 0; i--) {
      const x = this.r();
      if (x < 0.35 && helpers.length) lines.push(`    stats_${i} = ${this.pick(helpers)}([{"id": ${noun}_id}], factor=${this.int(1, 5)}.0)`);
      else if (x < 0.45 && syncIo.length) lines.push(`    data_${i} = ${this.pick(syncIo)}(str(${noun}_id))`);
      else if (x < 0.5 && isAsync) lines.push(`    await asyncio.sleep(0)`);
      else if (x < 0.55 && isAsync && services.length) lines.push(`    svc_${i} = ${this.pick(services)}(None)\n    info_${i} = await svc_${i}.get(${noun}_id)`);
      else if (x < 0.58) lines.push(`    time.sleep(0.01)  # legacy back-off`);
      else if (x < 0.6) lines.push(`    r_${i} = requests.post("https://hooks.example.com/${noun}", json={"id": ${noun}_id})`);
      else if (x < 0.75) lines.push(`    names_${i} = [n.upper() for n in ("a", "b", "c") if n]`);
      else lines.push(`    log.info("${verb} ${noun} %s", ${noun}_id)`);
    }
    lines.push(`    return {"id": ${noun}_id, "kind": "${noun}"}`);
    return lines.join('\n') + '\n';
  }
}

function cap(s: string): string { return s[0].toUpperCase() + s.slice(1); }

/** One router module of roughly `targetLines` lines (or `targetBytes` bytes). */
export function routerModule(seed: number, limit: { lines?: number; bytes?: number }, extraImports = ''): string {
  const g = new Gen(seed);
  const parts = [HEADER + extraImports, 'router = APIRouter(prefix="/api")\n'];
  const helpers: string[] = [];
  const syncIo: string[] = [];
  const deps: string[] = [];
  const services: string[] = [];
  let size = parts.join('\n').length;
  let lines = parts.join('\n').split('\n').length;
  const done = () => (limit.lines !== undefined && lines >= limit.lines) || (limit.bytes !== undefined && size >= limit.bytes);
  while (!done()) {
    const x = g.int(0, 9);
    let chunk: string;
    if (x <= 1) chunk = g.model();
    else if (x <= 3) { chunk = g.helper(); helpers.push(/def (\w+)/.exec(chunk)![1]); }
    else if (x === 4) { const s = g.syncIo(); syncIo.push(s.name); chunk = s.src; }
    else if (x === 5) { const s = g.service(); services.push(s.name); chunk = s.src; }
    else if (x === 6) { const d = g.dependency(); deps.push(d.name); chunk = d.src; }
    else chunk = g.route(deps, helpers, syncIo, services);
    parts.push(chunk);
    size += chunk.length + 1;
    lines += chunk.split('\n').length;
  }
  let text = parts.join('\n');
  if (limit.lines !== undefined) text = text.split('\n').slice(0, limit.lines).join('\n');
  // Cut at a line boundary that does not end inside a block header.
  return text.endsWith('\n') ? text : text + '\n';
}

export interface Generated { bigFile: string; bigText: string; project: string; projectFiles: string[]; projectBytes: number }

/** Writes .bench/big.py (10k lines) and .bench/project/ (500 files). */
export function generate(root: string, opts: { files?: number; bigLines?: number } = {}): Generated {
  const files = opts.files ?? 500;
  const bigLines = opts.bigLines ?? 10_000;
  mkdirSync(root, { recursive: true });
  const bigText = routerModule(7, { lines: bigLines });
  const bigFile = join(root, 'big.py');
  writeFileSync(bigFile, bigText);

  const project = join(root, 'project');
  rmSync(project, { recursive: true, force: true });
  const out: string[] = [];
  let bytes = 0;
  const write = (rel: string, text: string) => {
    const abs = join(project, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    out.push(abs);
    bytes += Buffer.byteLength(text);
  };
  const nServices = Math.floor(files * 0.3);
  const nRouters = files - nServices - 5;
  write('app/__init__.py', '');
  write('app/routers/__init__.py', '');
  write('app/services/__init__.py', '');
  write('app/deps.py', `import time\n\nimport requests\nfrom fastapi import Request\n\n\ndef get_settings() -> dict:\n    return {"debug": False}\n\n\ndef load_remote_config(name: str) -> dict:\n    time.sleep(0.1)\n    return requests.get(f"https://config.example.com/{name}", timeout=3).json()\n\n\nasync def current_user(request: Request) -> dict:\n    return {"user": request.headers.get("x-user", "anon")}\n`);
  // Services: plain modules of helpers and classes the routers import (cross-file call graph).
  for (let i = 0; i < nServices; i++) {
    write(`app/services/svc_${pad(i)}.py`, routerModule(1000 + i, { bytes: 8450 }, 'from app.deps import load_remote_config\n'));
  }
  const mainImports: string[] = [];
  for (let i = 0; i < nRouters; i++) {
    const s1 = (i * 7) % nServices;
    const extra = `from app.deps import current_user, load_remote_config\nfrom app.services.svc_${pad(s1)} import *  # noqa: F403\nfrom app.services import svc_${pad((s1 + 1) % nServices)} as other\n`;
    let text = routerModule(5000 + i, { bytes: 8450 }, extra);
    text += `\n\n@router.get("/cross/${i}")\nasync def cross_${i}(user: dict = Depends(current_user)) -> dict:\n    cfg = load_remote_config("r${i}")\n    return {"cfg": cfg, "user": user}\n`;
    write(`app/routers/r_${pad(i)}.py`, text);
    mainImports.push(`from app.routers import r_${pad(i)}`);
  }
  write('app/main.py', `from fastapi import FastAPI\n\n${mainImports.join('\n')}\n\napp = FastAPI()\n${mainImports.map((_, i) => `app.include_router(r_${pad(i)}.router)`).join('\n')}\n`);
  return { bigFile, bigText, project, projectFiles: out, projectBytes: bytes };
}

function pad(n: number): string { return String(n).padStart(3, '0'); }

if (require.main === module) {
  const g = generate(join(process.cwd(), '.bench'));
  console.log(JSON.stringify({ bigLines: g.bigText.split('\n').length - 1, bigBytes: g.bigText.length, files: g.projectFiles.length, projectBytes: g.projectBytes }));
}
