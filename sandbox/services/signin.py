"""Signing in, through the web pages or the API's token endpoint, with throttling of
repeated failures (the two count together).

Failures are rows (``LoginFailure``), so every web process sees the same count. A sign-in
is refused, without checking the password, after ``MAX_PER_EMAIL`` failures for one
e-mail or ``MAX_PER_ADDRESS`` from one client address within ``WINDOW``; a success clears
that e-mail's failures.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlmodel import col

from ..adapters.tables import LoginFailure, User
from ..domain.errors import TooMany, Unauthenticated
from . import people
from .runtime import Runtime

__all__ = ["Throttled", "sign_in", "WINDOW", "MAX_PER_EMAIL", "MAX_PER_ADDRESS"]

WINDOW = timedelta(minutes=15)
MAX_PER_EMAIL = 5
MAX_PER_ADDRESS = 30


class Throttled(TooMany):
    """Refused sign-in after repeated failures."""


def sign_in(rt: Runtime, email: str, password: str, address: str) -> User:
    email = (email or "").strip().lower()[:254]
    address = (address or "-")[:64]
    now = rt.clock.now()
    since = now - WINDOW
    with rt.uow() as uow:
        s = uow.session
        by_email = s.scalar(select(func.count()).where(
            col(LoginFailure.email) == email, col(LoginFailure.at) > since)) or 0
        by_address = s.scalar(select(func.count()).where(
            col(LoginFailure.address) == address, col(LoginFailure.at) > since)) or 0
    if by_email >= MAX_PER_EMAIL or by_address >= MAX_PER_ADDRESS:
        raise Throttled("too many failed sign-ins; wait 15 minutes and try again")
    try:
        user = people.authenticate(rt, email, password or "")
    except Unauthenticated:
        with rt.uow() as uow:
            uow.session.add(LoginFailure(email=email, address=address, at=now))
            uow.commit()
        raise
    with rt.uow() as uow:
        uow.session.execute(delete(LoginFailure).where(col(LoginFailure.email) == email))
        uow.commit()
    return user
