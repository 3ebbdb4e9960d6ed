# Nothing here blocks: non-blocking lock and queue forms, asyncio primitives. loopwise fix must leave
# the file byte for byte as it is.
import asyncio
import queue
import threading

from fastapi import FastAPI

app = FastAPI()
lock = threading.Lock()
jobs = queue.Queue()


@app.post("/jobs/{name}")
async def add_job(name: str):
    jobs.put_nowait(name)
    return {"queued": jobs.qsize()}


@app.get("/jobs/next")
async def next_job():
    try:
        job = jobs.get(block=False)
    except queue.Empty:
        job = None
    try:
        other = jobs.get_nowait()
    except queue.Empty:
        other = None
    return {"job": job, "other": other}


@app.get("/try-lock")
async def try_lock():
    got = lock.acquire(blocking=False)
    if got:
        lock.release()
    got2 = lock.acquire(timeout=0)
    if got2:
        lock.release()
    await asyncio.sleep(0)
    return {"got": got, "got2": got2}
