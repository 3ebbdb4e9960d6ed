# CPU functions a process pool would break: a global counter (the parent never sees it), an argument
# mutated in place, an HTTPException raised. The pool is only offered; the thread keeps the last two,
# and the global counter (a race between threads) keeps its finding.
import hashlib
from concurrent.futures import ProcessPoolExecutor

from fastapi import FastAPI, HTTPException, Request

cpu_pool = ProcessPoolExecutor(max_workers=1)
app = FastAPI()
stats = {"hashed": 0}


def derive_counted(password: str) -> str:
    stats["hashed"] += 1
    return hashlib.pbkdf2_hmac("sha256", password.encode(), b"s", 20_000).hex()


def derive_into(out: dict, password: str) -> str:
    out["digest"] = hashlib.pbkdf2_hmac("sha256", password.encode(), b"s", 20_000).hex()
    return out["digest"]


def derive_checked(password: str) -> str:
    if len(password) < 8:
        raise HTTPException(status_code=400, detail="too short")
    return hashlib.pbkdf2_hmac("sha256", password.encode(), b"s", 20_000).hex()


@app.post("/hash")
async def hash_password(password: str, request: Request):
    await request.body()
    a = derive_counted(password)
    out = {}
    derive_into(out, password)
    c = derive_checked(password)
    return {"a": a, "out": out, "c": c, "count": stats["hashed"]}
