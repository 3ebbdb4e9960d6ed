# os.walk drained in the thread (list(...)); a walk pruned in place (dirs[:] = ...) keeps its finding.
import os

from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/files")
async def files(request: Request):
    await request.body()
    found = []
    for root, dirs, names in os.walk("tree"):
        found.extend(sorted(os.path.join(root, n) for n in names))
    return sorted(found)


@app.get("/visible")
async def visible(request: Request):
    await request.body()
    out = []
    for root, dirs, names in os.walk("tree"):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        out.append(root)
    return sorted(out)
