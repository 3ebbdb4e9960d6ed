# A legacy SQLAlchemy Query runs its SQL where it is iterated, subscripted or ended by a terminal call,
# not where `db.query(...)` builds it. The fixes must move the SQL off the loop: a for loop's Query is
# drained in the thread, a kept Query's count() moves, a slice (LIMIT) moves whole.
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
    s.add_all([Item(name="apple"), Item(name="pear"), Item(name="plum"), Item(name="fig")])
    s.commit()
app = FastAPI()


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


@app.post("/names")
async def names(request: Request, db: Session = Depends(get_db)):
    skip = (await request.json())["skip"]
    out = []
    for item in db.query(Item).filter(Item.name != skip).order_by(Item.name):
        out.append(item.name)
    others = db.query(Item).filter(Item.name != skip)
    total = others.count()
    top = db.query(Item).order_by(Item.id)[0:2]
    return {"names": out, "total": total, "top": [i.name for i in top]}
