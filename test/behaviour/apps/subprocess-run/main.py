# subprocess.run and a sync helper calling it, in a coroutine that awaits: both move to a thread.
import subprocess
import sys

from fastapi import FastAPI, Request

app = FastAPI()


def python_version() -> str:
    return subprocess.run([sys.executable, "-c", "print(2 + 3)"], capture_output=True, text=True).stdout.strip()


@app.post("/run")
async def run(request: Request):
    word = (await request.json())["word"]
    out = subprocess.run(["echo", word], capture_output=True, text=True)
    five = python_version()
    return {"out": out.stdout, "code": out.returncode, "five": five}
