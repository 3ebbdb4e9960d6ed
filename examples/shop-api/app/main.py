"""Shop API: a small FastAPI service with the mistakes Loopwise exists to catch."""
import time

from fastapi import FastAPI, Request

from .routers import orders, recommendations, users

app = FastAPI(title="shop-api")


@app.middleware("http")
async def log_requests(request: Request, call_next):
    started = time.monotonic()
    response = await call_next(request)
    with open("access.log", "a") as log:
        log.write(f"{request.url.path} {time.monotonic() - started:.3f}\n")
    return response


@app.get("/health")
async def health():
    return {"ok": True}


app.include_router(users.router)
app.include_router(orders.router, prefix="/api")
app.include_router(recommendations.router, prefix="/api")
