from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("postgresql://shop@db/shop")
SessionLocal = sessionmaker(bind=engine)

async_engine = create_async_engine("postgresql+asyncpg://shop@db/shop")
AsyncSessionLocal = async_sessionmaker(async_engine)


def get_db():
    with SessionLocal() as db:
        yield db


async def get_async_db():
    async with AsyncSessionLocal() as db:
        yield db
