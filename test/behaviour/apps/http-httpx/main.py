# requests -> httpx.AsyncClient: a JSON body on GET and a form body on DELETE (client.request), the
# no-timeout default and a (connect, read) tuple, redirects followed, r.url used as a string.
import os

import requests
from fastapi import FastAPI, Request

app = FastAPI()
UPSTREAM = os.environ["UPSTREAM"]


@app.get("/search")
async def search(q: str, request: Request):
    await request.body()
    r = requests.get(f"{UPSTREAM}/echo", json={"q": q}, timeout=(3.05, 27))
    return {"url": r.url, "echo": r.json()}


@app.delete("/items/{item_id}")
async def delete_item(item_id: int, request: Request):
    await request.body()
    r = requests.delete(f"{UPSTREAM}/items/{item_id}", data={"reason": "user"})
    return {"status": r.status_code, "echo": r.json()}


@app.get("/moved")
async def moved(request: Request):
    await request.body()
    r = requests.get(f"{UPSTREAM}/redirect", params={"a": "1"})
    return {"status": r.status_code, "url": r.url, "echo": r.json()}


@app.post("/forward")
async def forward(request: Request):
    payload = await request.json()
    r = requests.post(f"{UPSTREAM}/in", json=payload, headers={"X-Trace": "1"})
    return r.json()
