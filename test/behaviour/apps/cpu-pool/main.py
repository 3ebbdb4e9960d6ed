# A module-level function with str arguments, its result used, run with the app's one process pool.
import hashlib
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

cpu_pool = ProcessPoolExecutor(max_workers=1)


@asynccontextmanager
async def lifespan(app):
    yield
    cpu_pool.shutdown()


app = FastAPI(lifespan=lifespan)


def derive(password: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 20_000).hex()


@app.post("/hash")
async def hash_password(password: str, salt: str, request: Request):
    await request.body()
    digest = derive(password, salt)
    return {"hash": digest}
