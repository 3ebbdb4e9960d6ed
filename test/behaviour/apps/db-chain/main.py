# A route that awaits (request.json()) and runs a query chain: the whole chain moves to the thread,
# not only db.query (the SELECT runs in .first()).
import os

from fastapi import Depends, FastAPI, Request
from sqlalchemy import Column, Integer, String, create_engine
from sqlalchemy.orm import Session, declarative_base, sessionmaker

engine = create_engine(f"sqlite:///{os.environ['APP_DB']}", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine)
Base = declarative_base()


class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
    name = Column(String)


Base.metadata.create_all(engine)
with SessionLocal() as s:
    s.add_all([Item(name="apple"), Item(name="pear"), Item(name="plum")])
    s.commit()
app = FastAPI()


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@app.post("/find")
async def find(request: Request, db: Session = Depends(get_db)):
    wanted = (await request.json())["name"]
    item = db.query(Item).filter(Item.name == wanted).first()
    count = db.query(Item).count()
    return {"id": item.id if item else None, "count": count}
