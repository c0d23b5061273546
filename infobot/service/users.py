"""Local accounts for the team's web page: names, roles and argon2 password hashes.

Roles nest: an **editor** adds, edits and imports stories; an **approver** can do all that
and approve, reject, reorder, pin, pause, withdraw and post now; an **admin** can do
everything and manage accounts. Every change is an audit event; a password or its hash
never is. Names are matched by their key (NFKC, case-folded: see
:func:`infobot.domain.accounts.name_key`), stored beside the name under a unique index.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infobot.domain.accounts import name_key
from infobot.domain.errors import NotFound, UserError
from infobot.service import audit
from infobot.store import users as queries
from infobot.store.models import User
from infobot.store.queries import accounts

if TYPE_CHECKING:
    from argon2 import PasswordHasher
    from sqlalchemy.orm import Session

    from infobot.clock import Clock
    from infobot.store.db import Database

ROLES: tuple[str, ...] = ("editor", "approver", "admin")
RANK = {role: rank for rank, role in enumerate(ROLES)}
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_NAME = 100
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
_ENDS = string.digits + string.punctuation


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    disabled: bool = False
    has_password: bool = False
    created_by: str = ""
    created_at: datetime | None = None
    session_epoch: int = 0

    def can(self, role: str) -> bool:
        """True when this account has ``role``'s rights (roles nest)."""
        return not self.disabled and RANK.get(self.role, -1) >= RANK[role]


def check_role(role: str) -> str:
    cleaned = role.strip().lower()
    if cleaned not in RANK:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return cleaned


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise UserError("give the person's name")
    if len(cleaned) > MAX_NAME:
        raise UserError(f"the name is longer than {MAX_NAME} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        raise UserError("the name contains control or invisible characters")
    return cleaned


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(
            f"the password must be at least {MIN_PASSWORD} characters long "
            "(three random words make a good one)"
        )
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password must be at most {MAX_PASSWORD} characters long")
    if is_common(password):
        raise UserError(
            "the password is too easy to guess: it is one of the passwords people use most, "
            "which attackers try first. Choose another (three random words make a good one)"
        )
    return password


@cache
def _common() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(_squash(line) for line in lines if line and not line.startswith("# "))


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def is_common(password: str) -> bool:
    """True for a password on the bundled list of common ones (case and spaces ignored,
    digits and punctuation at either end too), or one made of fewer than 4 characters."""
    squashed = _squash(password)
    if len(set(squashed)) < 4:
        return True
    common = _common()
    return squashed in common or squashed.strip(_ENDS) in common


@cache
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to check against for unknown names, so they take as long as known ones."""
    return _hasher().hash("not a real password: infobot timing equaliser")


def hash_password(password: str) -> str:
    return _hasher().hash(check_password(password))


def _account(user: User) -> Account:
    return Account(
        name=user.name,
        role=user.role,
        disabled=user.disabled,
        has_password=bool(user.password_hash),
        created_by=user.created_by,
        created_at=user.created_at,
        session_epoch=user.session_epoch,
    )


class Accounts:
    """Adds, lists and changes accounts; checks passwords.

    ``campaign_id`` only labels the audit events it writes."""

    def __init__(self, db: Database, clock: Clock, *, campaign_id: int | None = None) -> None:
        self.db = db
        self.clock = clock
        self.campaign_id = campaign_id

    def _find(self, session: Session, name: str) -> User | None:
        return queries.by_key(session, name_key(name))

    def _get(self, session: Session, name: str) -> User:
        user = self._find(session, name)
        if user is None:
            raise NotFound(f"there is no account called {name!r} (see `infobot users list`)")
        return user

    def _event(
        self,
        session: Session,
        *,
        actor: str,
        action: str,
        message: str,
        before: Any = None,
        after: Any = None,
    ) -> None:
        audit.record(
            session,
            at=self.clock.now(),
            actor=actor,
            action=action,
            campaign_id=self.campaign_id,
            before=before,
            after=after,
            message=message,
        )

    # -- reading -----------------------------------------------------------------------
    def list(self) -> list[Account]:
        with self.db.read() as session:
            return [_account(u) for u in queries.by_name(session)]

    def get(self, name: str) -> Account | None:
        """The account called ``name`` (every request of the web page asks: one query on
        the read side's SQL)."""
        with self.db.reader() as r:
            found = accounts.by_key(r, name_key(name))
        if found is None:
            return None
        return Account(
            found.name,
            found.role,
            found.disabled,
            found.has_password,
            found.created_by,
            found.created_at,
            found.session_epoch,
        )

    def count(self) -> int:
        with self.db.read() as session:
            return queries.count(session)

    # -- changing ----------------------------------------------------------------------
    def add(self, name: str, role: str, password: str, *, actor: str) -> Account:
        name, role = check_name(name), check_role(role)
        hashed = hash_password(password)
        now = self.clock.now()
        with self.db.write() as session:
            if self._find(session, name) is not None:
                raise UserError(f"there is already an account called {name!r}")
            user = User(
                name=name,
                name_key=name_key(name),
                role=role,
                password_hash=hashed,
                disabled=False,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            session.add(user)
            self._event(
                session,
                actor=actor,
                action="user.added",
                after={"name": name, "role": role},
                message=f"added account {name!r} as {role}",
            )
            session.flush()
            return _account(user)

    def set_role(self, name: str, role: str, *, actor: str) -> Account:
        role = check_role(role)
        with self.db.write() as session:
            user = self._get(session, name)
            if user.role == role:
                return _account(user)
            if user.role == "admin" and not user.disabled:
                self._keep_an_admin(session, user, f"make {user.name!r} {role}")
            before = user.role
            user.role = role
            user.updated_at = self.clock.now()
            self._event(
                session,
                actor=actor,
                action="user.role_changed",
                before={"name": user.name, "role": before},
                after={"name": user.name, "role": role},
                message=f"{user.name!r} is now {role} (was {before})",
            )
            return _account(user)

    def set_password(self, name: str, password: str, *, actor: str) -> None:
        hashed = hash_password(password)
        with self.db.write() as session:
            user = self._get(session, name)
            user.password_hash = hashed
            user.session_epoch += 1  # a new password ends the sessions signed in with the old
            user.updated_at = self.clock.now()
            self._event(
                session,
                actor=actor,
                action="user.password_set",
                after={"name": user.name},
                message=f"new password for {user.name!r}",
            )

    def end_sessions(self, name: str) -> None:
        """Sign the account out everywhere: every session begun before now stops working."""
        with self.db.write() as session:
            user = self._find(session, name)
            if user is not None:
                user.session_epoch += 1

    def disable(self, name: str, *, actor: str) -> Account:
        return self._set_disabled(name, True, actor=actor)

    def enable(self, name: str, *, actor: str) -> Account:
        return self._set_disabled(name, False, actor=actor)

    def _set_disabled(self, name: str, disabled: bool, *, actor: str) -> Account:
        word = "disabled" if disabled else "enabled"
        with self.db.write() as session:
            user = self._get(session, name)
            if user.disabled == disabled:
                state = "already disabled" if disabled else "not disabled"
                raise UserError(f"the account {user.name!r} is {state}")
            if disabled and user.role == "admin":
                self._keep_an_admin(session, user, f"disable {user.name!r}")
            user.disabled = disabled
            user.updated_at = self.clock.now()
            self._event(
                session,
                actor=actor,
                action=f"user.{word}",
                before={"name": user.name, "disabled": not disabled},
                after={"name": user.name, "disabled": disabled},
                message=f"{word} account {user.name!r}",
            )
            return _account(user)

    def _keep_an_admin(self, session: Session, user: User, doing: str) -> None:
        if not queries.other_active_admins(session, user.id):
            raise UserError(
                f"cannot {doing}: it is the only admin account left; make someone else admin first"
            )

    # -- signing in --------------------------------------------------------------------
    def authenticate(self, name: str, password: str) -> Account | None:
        """The account when the name and password match an enabled account, else None.

        Unknown names take as long as wrong passwords, so the answer does not tell which
        names exist.
        """
        from argon2.exceptions import InvalidHashError, VerificationError

        hasher = _hasher()
        with self.db.read() as session:
            user = self._find(session, name) if name.strip() else None
            stored = user.password_hash if user is not None else ""
            found = _account(user) if user is not None else None
        try:
            hasher.verify(stored or _dummy_hash(), password[:MAX_PASSWORD])
        except (VerificationError, InvalidHashError):
            return None
        if found is None or not stored or found.disabled:
            return None
        if hasher.check_needs_rehash(stored):
            with self.db.write() as session:
                user = self._get(session, found.name)
                user.password_hash = hasher.hash(password)
        return found
