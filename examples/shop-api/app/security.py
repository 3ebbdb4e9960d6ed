import bcrypt
from fastapi import Depends, Header, HTTPException
from sqlalchemy.orm import Session

from .db import get_db
from .models import User


def verify_password(plain: str, hashed: bytes) -> bool:
    return bcrypt.checkpw(plain.encode(), hashed)


def load_user(db: Session, email: str):
    return db.query(User).filter(User.email == email).first()


async def current_user(
    x_email: str = Header(...),
    x_password: str = Header(...),
    db: Session = Depends(get_db),
):
    user = load_user(db, x_email)
    if user is None or not verify_password(x_password, user.password_hash):
        raise HTTPException(status_code=401)
    return user
