# A blocking helper that also schedules work on the running loop: in a thread it would raise
# RuntimeError (no running loop). No preferred fix; the finding stays.
import asyncio
import time

from fastapi import FastAPI, Request

app = FastAPI()
events = []


async def record(name: str) -> None:
    events.append(name)


def notify(name: str) -> str:
    time.sleep(0.01)
    asyncio.get_running_loop().create_task(record(name))
    return name


@app.post("/notify/{name}")
async def post_notify(name: str, request: Request):
    await request.body()
    notify(name)
    time.sleep(0.01)
    await asyncio.sleep(0)
    return {"events": list(events)}
