import asyncio

import httpx
from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..db import get_async_db
from ..models import Order, User
from ..security import current_user

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me")
async def me(user=Depends(current_user)):
    return {"id": user.id, "email": user.email}


@router.get("/{user_id}")
async def profile(user_id: int, db: AsyncSession = Depends(get_async_db)):
    user = await db.get(User, user_id)
    async with httpx.AsyncClient() as client:
        avatar = await client.get(f"https://avatars.example.com/{user_id}")
    return {"user": user.email, "avatar": avatar.json()}


@router.get("/")
async def list_with_orders(db: AsyncSession = Depends(get_async_db)):
    users = (await db.execute(select(User))).scalars().all()
    result = []
    for u in users:
        orders = await db.execute(select(Order).where(Order.user_id == u.id))
        result.append({"user": u.email, "orders": orders.scalars().all()})
    return result


@router.get("/{user_id}/export")
def export(user_id: int):
    # A plain def handler runs in FastAPI's threadpool: blocking here is fine.
    with open(f"/tmp/export-{user_id}.csv", "w") as f:
        f.write("id\n")
    return {"ok": True}
