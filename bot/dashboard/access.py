"""Who may see what: a role and a unit become the set of unit codes an account may read. Every page and
every download asks `authorise` — the only place this rule is written.

staff: their own unit only (its report does not include units under it); supervisor: the unit and
everything under it; admin: every unit, plus records that name no unit, and account management.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import units
from store.staff import StaffUser


class Denied(Exception):
    """The account may not see this unit (or this page). `code` is a message key."""

    def __init__(self, code: str = "forbidden_unit"):
        super().__init__(code)
        self.code = code


class UnknownUnit(LookupError):
    pass


@dataclass(frozen=True)
class Scope:
    """What one request may read: the chosen unit and the unit codes its figures cover."""

    unit: str
    codes: list[str]
    include_children: bool
    everything: bool  # admin: rows without a unit are visible too

    @property
    def rows(self) -> Optional[list[str]]:
        """The unit codes to filter stored rows by; None for every row, those without a unit included."""
        return None if self.everything else self.codes


def visible_units(user: StaffUser) -> list[str]:
    """Every unit code the account may choose, in directory order."""
    directory = units.directory()
    if user.role == "admin":
        return list(directory.units)
    if user.unit not in directory:
        return []
    if user.role == "supervisor":
        return directory.descendants(user.unit)
    return [user.unit]


def authorise(user: Optional[StaffUser], unit: Optional[str] = None, *, admin_only: bool = False) -> Scope:
    """The scope `user` may read for `unit` (default: their own unit). Raises Denied or UnknownUnit."""
    if user is None:
        raise Denied("sign_in_required")
    if admin_only and user.role != "admin":
        raise Denied("admin_only")
    directory = units.directory()
    code = user.unit if unit in (None, "") else unit
    if not isinstance(code, str) or code not in directory:
        raise UnknownUnit(code)
    allowed = visible_units(user)
    if code not in allowed:
        raise Denied("forbidden_unit")
    include_children = user.role != "staff"
    codes = directory.descendants(code) if include_children else [code]
    return Scope(unit=code, codes=[c for c in codes if c in allowed], include_children=include_children,
                 everything=user.role == "admin" and code == default_root(directory))


def default_root(directory: units.UnitDirectory) -> str:
    """The top of the unit tree (the province), where an admin's "everything" view starts."""
    return next((u.code for u in directory.units.values() if not u.parent), directory.default_code)


def may_manage_accounts(user: Optional[StaffUser]) -> bool:
    return user is not None and user.role == "admin"
