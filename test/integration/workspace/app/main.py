import asyncio
import time

import requests
from fastapi import FastAPI

from app.helpers import fetch_weather

app = FastAPI()


@app.get("/weather")
async def weather(city: str):
    data = fetch_weather(city)
    return data


@app.get("/sleepy")
async def sleepy():
    time.sleep(1)
    return {"ok": True}


@app.get("/users")
async def users():
    r = requests.get("https://example.com/users")
    return r.json()


@app.get("/fine")
async def fine():
    await asyncio.sleep(0.1)
    return {"ok": True}
