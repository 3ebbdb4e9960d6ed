# time.sleep in coroutines that await (-> asyncio.sleep) and in a route that awaits nothing (-> plain def).
import time

from fastapi import FastAPI, Request

app = FastAPI()


async def backoff(attempt: int) -> float:
    delay = 0.01 * attempt
    time.sleep(delay)
    return delay


@app.post("/retry")
async def retry(request: Request):
    body = await request.json()
    waited = [await backoff(i) for i in range(body["attempts"])]
    time.sleep(0.01)
    return {"waited": waited}


@app.get("/pause")
async def pause(ms: int = 10):
    time.sleep(ms / 1000)
    return {"paused": ms}
