# N+1 awaits: independent calls become one asyncio.gather (results in input order), bounded by a
# Semaphore for an unbounded list; calls drawing from a shared counter keep their loop. Each call is a
# real round trip to the harness's echo server (LW301 reports only awaits that reach a server).
import asyncio
import itertools
import os

import httpx
from fastapi import FastAPI, Request

app = FastAPI()
UPSTREAM = os.environ["UPSTREAM"]
ids = itertools.count(1)
ORDER = []


async def lookup(n: int) -> dict:
    await asyncio.sleep(0.001 * (5 - n % 5))
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{UPSTREAM}/echo", params={"n": str(n)})
    return {"n": n, "square": n * n, "echo": r.json()}


async def register(name: str) -> dict:
    await asyncio.sleep(0.001 * len(name))
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{UPSTREAM}/echo", params={"name": name})
    return {"name": name, "id": next(ids), "echo": r.json()}


@app.post("/squares")
async def squares(request: Request):
    nums = (await request.json())["nums"]
    results = []
    for n in nums:
        results.append(await lookup(n))
    return results


@app.get("/fixed")
async def fixed():
    out = []
    for n in [3, 1, 2]:
        out.append(await lookup(n))
    return out


@app.post("/register")
async def register_all(request: Request):
    names = (await request.json())["names"]
    out = []
    for name in names:
        out.append(await register(name))
    return out
