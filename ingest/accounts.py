"""The workspace's accounts: who may log in, with which role, checked against an argon2 hash.

Passwords are never stored, logged or passed on a command line: only their argon2id hashes
(argon2-cffi's defaults) are kept, in the store's `users` table. A viewer reads; a clerk also
makes the office's decisions and edits the roster and the notices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ingest.store import Store

ROLES = ("clerk", "viewer")
MIN_PASSWORD_CHARS = 8
_NAME = re.compile(r"^[\w.@-]{1,64}$")

_hasher = PasswordHasher()
# Verified when the account does not exist, so that a wrong name costs as long as a wrong
# password and the answer's timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash("mailtally: no such account")


class AccountError(ValueError):
    """An account cannot be added or changed as asked; the message says why (English key)."""


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    role: str  # clerk | viewer
    created_at: str = ""  # ISO 8601, UTC

    @property
    def can_change(self) -> bool:
        """Whether this account may change anything (make a decision, edit a file)."""
        return self.role == "clerk"


def add_account(store: Store, name: str, role: str, password: str) -> Account:
    """Add an account with the password's hash.

    Raises:
        AccountError: "name" (empty, too long, or a space or symbol in it), "role", "password"
            (shorter than MIN_PASSWORD_CHARS) or "exists".
    """
    if not _NAME.match(name):
        raise AccountError("name")
    if role not in ROLES:
        raise AccountError("role")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError("password")
    if not store.add_user(name, role, _hasher.hash(password)):
        raise AccountError("exists")
    return Account(name, role)


def remove_account(store: Store, name: str) -> bool:
    """Remove an account; False when there was none of that name."""
    return store.remove_user(name)


def list_accounts(store: Store) -> list[Account]:
    return [Account(n, r, c) for n, r, c in store.users()]


def find_account(store: Store, name: str) -> Account | None:
    row = store.user(name)
    return None if row is None else Account(row[0], row[1], row[3])


def verify_login(store: Store, name: str, password: str) -> Account | None:
    """The account when `password` is its password, else None (same cost either way). A hash
    made with older parameters is replaced by one with today's."""
    row = store.user(name) if name else None
    try:
        _hasher.verify(row[2] if row else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(row[2]):
        store.set_password_hash(row[0], _hasher.hash(password))
    return Account(row[0], row[1], row[3])
