# with-open blocks: one read or write becomes a Path call in a thread; an append block has no
# preferred fix and must still be reported.
import json

from fastapi import FastAPI, Request

app = FastAPI()


@app.get("/config")
async def config(request: Request):
    await request.body()
    with open("config.json") as f:
        data = json.load(f)
    with open("notes.txt", encoding="utf-8") as f:
        notes = f.read()
    return {"data": data, "notes": notes}


@app.post("/upload")
async def upload(request: Request):
    body = await request.body()
    with open("upload.bin", "wb") as out:
        out.write(body)
    with open("log.txt", "a") as log:
        log.write("uploaded\n")
    with open("upload.bin", "rb") as f:
        back = f.read()
    return {"size": len(back)}
