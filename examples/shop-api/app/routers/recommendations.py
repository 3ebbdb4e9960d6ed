import asyncio
from concurrent.futures import ProcessPoolExecutor

from fastapi import APIRouter

from ..services.recommender import score

router = APIRouter(prefix="/recommendations")
cpu_pool = ProcessPoolExecutor(max_workers=2)


@router.post("/score")
async def score_items(features: list[float]):
    return {"score": score(features)}


@router.post("/score-offloaded")
async def score_offloaded(features: list[float]):
    loop = asyncio.get_running_loop()
    value = await loop.run_in_executor(cpu_pool, score, features)
    return {"score": value}
