# A lazily initialised module global: run in threads, two requests could both build it. The
# thread offload is only offered; the finding stays. The independent blocking call is fixed.
import time

from fastapi import FastAPI, Request

app = FastAPI()
_settings = None
builds = []


def settings() -> dict:
    global _settings
    if _settings is None:
        time.sleep(0.01)
        builds.append(1)
        _settings = {"region": "eu", "builds": len(builds)}
    return _settings


def render(name: str) -> str:
    time.sleep(0.01)
    return f"hello {name}"


@app.get("/hello/{name}")
async def hello(name: str, request: Request):
    await request.body()
    s = settings()
    text = render(name)
    return {"text": text, "settings": s}
