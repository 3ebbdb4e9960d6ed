# sqlite3 objects are bound to the thread that made them: a module-level connection used from a
# coroutine cannot move to a thread, and a route whose async dependency opens a connection on the
# loop thread cannot become a plain def. Both findings stay; a time.sleep next to them is fixed.
import os
import sqlite3
import time

from fastapi import Depends, FastAPI, Request

db = sqlite3.connect(os.environ["APP_DB"])
db.execute("create table if not exists kv (k text primary key, v text)")
db.execute("insert or replace into kv values ('greeting', 'hello')")
db.commit()
app = FastAPI()


async def get_conn():
    conn = sqlite3.connect(os.environ["APP_DB"])
    try:
        yield conn
    finally:
        conn.close()


@app.get("/kv/{key}")
async def read_key(key: str, request: Request):
    await request.body()
    time.sleep(0.01)
    row = db.execute("select v from kv where k = ?", (key,)).fetchone()
    return {"value": row[0] if row else None}


@app.get("/count")
async def count(conn: sqlite3.Connection = Depends(get_conn)):
    n = conn.execute("select count(*) from kv").fetchone()[0]
    return {"n": n}
