"""Organisations, users and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..adapters.tables import ApiToken, Organisation, User
from ..domain.errors import Invalid, Unauthenticated
from ..domain.tally import MAX_STANDING_MEMBERS
from ..engine.actors import ROLES, Actor
from .runtime import Runtime

__all__ = [
    "SEED_ORGANISATIONS",
    "seed_organisations",
    "create_user",
    "issue_token",
    "revoke_token",
    "revoke_tokens_of",
    "live_tokens_of",
    "actor_for_token",
    "authenticate",
    "hash_password",
    "actor_of",
]

_hasher = PasswordHasher()

SEED_ORGANISATIONS = [
    ("MOLIT", "ministry", "국토교통부", "Ministry of Land, Infrastructure and Transport"),
    ("KNPA", "agency", "경찰청", "Korean National Police Agency"),
    ("PIPC", "agency", "개인정보보호위원회", "Personal Information Protection Commission"),
    ("MOTIE", "agency", "산업통상자원부", "Ministry of Trade, Industry and Energy"),
    ("MSIT", "agency", "과학기술정보통신부", "Ministry of Science and ICT"),
    ("ME", "agency", "환경부", "Ministry of Environment"),
    ("MOHW", "agency", "보건복지부", "Ministry of Health and Welfare"),
    ("sejong", "local_government", "세종특별자치시", "Sejong City"),
    ("busan", "local_government", "부산광역시", "Busan Metropolitan City"),
    ("incheon", "local_government", "인천광역시", "Incheon Metropolitan City"),
    ("bucheon", "local_government", "부천시", "Bucheon City"),
    ("siheung", "local_government", "시흥시", "Siheung City"),
]
# Which kind of organisation each role belongs to.
ROLE_ORG_KIND = {
    "applicant": "company",
    "local_government": "local_government",
    "agency": "agency",
    "committee_member": "ministry",
    "secretariat": "ministry",
}


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.role, user.org_code, user.name)


def seed_organisations(rt: Runtime) -> int:
    with rt.uow() as uow:
        added = 0
        for code, kind, name_ko, name_en in SEED_ORGANISATIONS:
            if uow.session.get(Organisation, code) is None:
                uow.session.add(Organisation(code=code, kind=kind, name_ko=name_ko, name_en=name_en))
                added += 1
        uow.commit()
    return added


def create_user(
    rt: Runtime, *, email: str, role: str, org: str, name: str, password: str,
    org_name: str | None = None, org_name_en: str | None = None,
) -> User:
    """A user of an organisation. An applicant's ``org`` code that does not exist yet creates
    its company, named ``org_name`` (and ``org_name_en``): documents address it by name."""
    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors["role"] = [f"다음 중 하나 / One of: {', '.join(ROLES)}"]
    if "@" not in email:
        errors["email"] = ["올바른 전자우편 주소가 아닙니다. / Not a valid e-mail address."]
    if len(password) < 8:
        errors["password"] = ["8자 이상이어야 합니다. / At least 8 characters."]
    if not name.strip():
        errors["name"] = ["필수 항목입니다. / Required."]
    if errors:
        raise Invalid(errors)
    with rt.uow() as uow:
        # Locked: two members added at once are counted one after the other (Act 23(2) cap).
        org_row = uow.session.scalars(
            select(Organisation).where(Organisation.code == org).with_for_update()).first()
        if org_row is None and role == "applicant":
            # An applicant's --org names its company; a new code creates it.
            ko = (org_name or "").strip() or org
            org_row = Organisation(code=org, kind="company", name_ko=ko,
                                   name_en=(org_name_en or "").strip() or ko)
            uow.session.add(org_row)
        if org_row is None:
            raise Invalid.field("org", f"알 수 없는 기관입니다. / No organisation {org!r}.")
        if org_row.kind != ROLE_ORG_KIND[role]:
            kind = ROLE_ORG_KIND[role]
            raise Invalid.field("org", f"{role} 역할의 사용자는 {kind} 종류의 기관에만 속합니다. / "
                                       f"Users with role {role} belong to organisations of kind {kind}.")
        if role == "committee_member":
            _check_room_on_the_committee(uow.session)
        user = User(
            email=email.strip().lower(), name=name.strip(), role=role, org_code=org,
            password_hash=hash_password(password), created_at=rt.clock.now(),
        )
        uow.session.add(user)
        try:
            uow.commit()
        except IntegrityError:
            raise Invalid.field("email", "이미 등록되어 있습니다. / already registered") from None
        return user


def _check_room_on_the_committee(session: Session) -> None:
    members = session.scalar(select(func.count()).select_from(User).where(
        User.role == "committee_member", User.active == True))  # noqa: E712
    if members >= MAX_STANDING_MEMBERS:
        raise Invalid.field("role", f"위원회 위원은 {MAX_STANDING_MEMBERS}명 이내입니다(법 제23조제2항). / "
                                    f"The committee has at most {MAX_STANDING_MEMBERS} members (Act 23(2)).")


def authenticate(rt: Runtime, email: str, password: str) -> User:
    with rt.uow() as uow:
        user = uow.session.scalars(select(User).where(User.email == email.strip().lower())).first()
        if user is None or not user.active:
            _hasher.hash(password)  # spend the same time as for a real user
            raise Unauthenticated("wrong e-mail or password")
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise Unauthenticated("wrong e-mail or password") from None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            uow.session.add(user)
            uow.commit()
        return user


def issue_token(rt: Runtime, user_id: int, purpose: str = "api") -> str:
    token = secrets.token_urlsafe(32)
    with rt.uow() as uow:
        uow.session.add(
            ApiToken(user_id=user_id, token_hash=_token_hash(token), purpose=purpose,
                     created_at=rt.clock.now())
        )
        uow.commit()
    return token


def _revoke(rt: Runtime, *which: Any) -> int:
    """Revoke the live tokens matching ``which``; how many there were."""
    with rt.uow() as uow:
        result = uow.session.execute(
            update(ApiToken).where(*which, ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
            .values(revoked_at=rt.clock.now())
        )
        uow.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]


def revoke_token(rt: Runtime, token: str) -> bool:
    return bool(_revoke(rt, ApiToken.token_hash == _token_hash(token)))


def revoke_tokens_of(rt: Runtime, user_id: int, purpose: str) -> int:
    """Revoke every live token of one user for one purpose; how many there were."""
    return _revoke(rt, ApiToken.user_id == user_id, ApiToken.purpose == purpose)  # type: ignore[arg-type]


def live_tokens_of(rt: Runtime, user_id: int, purpose: str) -> int:
    with rt.uow() as uow:
        return int(uow.session.execute(
            select(func.count()).select_from(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.purpose == purpose,  # type: ignore[arg-type]
                   ApiToken.revoked_at.is_(None))  # type: ignore[union-attr]
        ).scalar_one())


def actor_for_token(rt: Runtime, token: str, purpose: str = "api") -> Actor:
    with rt.uow() as uow:
        row = uow.session.execute(
            select(User)
            .join(ApiToken, ApiToken.user_id == User.id)  # type: ignore[arg-type]
            .where(
                ApiToken.token_hash == _token_hash(token),
                ApiToken.purpose == purpose,
                ApiToken.revoked_at.is_(None),  # type: ignore[union-attr]
                User.active == True,  # noqa: E712
            )
        ).scalar_one_or_none()
        if row is None:
            raise Unauthenticated("invalid or revoked token")
        return actor_of(row)
