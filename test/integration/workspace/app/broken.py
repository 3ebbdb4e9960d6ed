import time

from app.main import app


@app.get("/broken")
async def broken():
    time.sleep(2)
    return {"ok": True}


def half_written(x:
    return x +
