import time

from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy.orm import Session

from ..db import get_db
from ..models import Order
from ..security import current_user
from ..services import payments

router = APIRouter(prefix="/orders", tags=["orders"], dependencies=[Depends(current_user)])


def send_receipt(email: str) -> None:
    time.sleep(1)  # pretend SMTP


@router.post("/")
async def create_order(total: int, token: str, tasks: BackgroundTasks, db: Session = Depends(get_db)):
    charge = payments.charge(total, token)
    order = Order(total=total)
    db.add(order)
    db.commit()
    tasks.add_task(send_receipt, "customer@example.com")
    return {"order": order.id, "charge": charge["id"]}


@router.post("/{order_id}/refund")
async def refund(order_id: int):
    time.sleep(0.5)  # rate limit the payment provider
    return payments.refund(str(order_id))
