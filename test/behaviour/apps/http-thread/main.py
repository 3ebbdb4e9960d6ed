# requests features without an httpx equivalent (r.ok, a Session keeping cookies): the calls move to a
# thread unchanged. A streamed response (stream=True + iter_content) reads its body later on the loop:
# offloading only the request would hide that, so its finding stays.
import os

import requests
from fastapi import FastAPI, Request

app = FastAPI()
UPSTREAM = os.environ["UPSTREAM"]
session = requests.Session()


@app.get("/ok")
async def ok(request: Request):
    await request.body()
    r = requests.get(f"{UPSTREAM}/echo")
    return {"ok": r.ok}


@app.get("/chunks")
async def chunks(request: Request):
    await request.body()
    r = requests.get(f"{UPSTREAM}/echo", stream=True)
    return {"n": len(b"".join(r.iter_content(4)))}


@app.get("/session")
async def with_session(request: Request):
    await request.body()
    session.get(f"{UPSTREAM}/cookie")
    r = session.get(f"{UPSTREAM}/echo")
    return r.json()
