"""The org directory as engines see it: users, departments, supervisors, heads, role members.

Flows resolve approvers (a supervisor chain, department heads, an app role), rules notify
supervisors, templates create roles; the org chart itself lives in the platform, which
engines do not import. So engines ask this interface, and the platform's bootstrap
installs the implementation (``install``) that ``directory(session)`` then returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

MAX_LEVELS = 64


@dataclass(frozen=True)
class DirectoryUser:
    """A person of the org chart.

    Attributes:
        active: False for a disabled account (kept in chains; callers decide to skip it).
        department_id: the main department, if any.
        supervisor_id: the direct supervisor (直属上级), if any.
    """

    id: int
    username: str
    display_name: str
    email: str | None
    active: bool
    department_id: int | None
    supervisor_id: int | None


@dataclass(frozen=True)
class DirectoryDepartment:
    """A department of the tree.

    Attributes:
        parent_id: the department above, or None at the top.
        head_id: the user who heads it (部门负责人), if any.
    """

    id: int
    name: str
    parent_id: int | None
    head_id: int | None


class Directory(Protocol):
    """Read-only questions about the org chart, answered within the caller's transaction.

    Lists are nearest first for chains, parents before children for trees, by id otherwise.
    ``levels`` is clamped to ``MAX_LEVELS``; a chain that ends earlier gives fewer entries.
    """

    def user(self, user_id: int) -> DirectoryUser | None:
        """One user, active or not; None if there is no such user."""
        ...

    def users(self, ids: Iterable[int]) -> list[DirectoryUser]:
        """The users with these ids, in the order given, each once; unknown ids left out."""
        ...

    def department(self, department_id: int) -> DirectoryDepartment | None:
        """One department; None if there is no such department."""
        ...

    def department_tree(self, department_id: int) -> list[DirectoryDepartment]:
        """The department and every department below it, parents before children."""
        ...

    def department_members(
        self, department_id: int, *, descendants: bool = False
    ) -> list[DirectoryUser]:
        """Active users whose main department is this one (or below it, with descendants)."""
        ...

    def supervisors(self, user_id: int, levels: int = 1) -> list[DirectoryUser]:
        """The supervisor chain upward: the direct supervisor first, at most ``levels``."""
        ...

    def department_heads(self, user_id: int, levels: int = 1) -> list[DirectoryUser]:
        """Heads of the user's main department and of those above it, ``levels`` departments
        up, nearest first; departments without a head are skipped, each head given once."""
        ...

    def role_members(self, app_key: str, role_key: str) -> list[DirectoryUser]:
        """Active users holding an app role: directly, through their department (or one
        above it), or as everyone when the role is given to all users."""
        ...


DirectoryFactory = Callable[[Session], Directory]


def _not_installed(session: Session) -> Directory:
    raise RuntimeError("no org directory is installed: the platform's bootstrap installs one")


_factory: DirectoryFactory = _not_installed


def install(factory: DirectoryFactory) -> DirectoryFactory:
    """Makes ``factory`` build the process's directory (the bootstrap, or a test); returns
    the previous factory."""
    global _factory
    old, _factory = _factory, factory
    return old


def directory(session: Session) -> Directory:
    """The org directory, reading through ``session``."""
    return _factory(session)
