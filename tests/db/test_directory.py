"""The org directory engines ask (users, departments, supervisor chains, department heads,
app role members), read from the platform tables inside a transaction rolled back after
each test.

The org: HQ > Sales > East > Shanghai > Pudong (five levels; East has no head), and
Finance under HQ ordered before Sales. Supervisors: rep > lead > mgr > vp > ceo, cfo > ceo;
``retired`` is inactive and supervises ``intern``; ``loner`` has neither department nor
supervisor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import FrozenInstanceError
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.engines import directory as engine_directory
from jimu.engines.directory import DirectoryDepartment, DirectoryUser
from jimu.platform.apps.models import App
from jimu.platform.bootstrap import bootstrap
from jimu.platform.org.directory import SqlDirectory
from jimu.platform.org.models import Department, User
from jimu.platform.permissions.models import AppRole, app_role_departments, app_role_users
from jimu.platform.settings import Settings


@pytest.fixture
def org(session: Session) -> dict[str, Any]:
    """Departments and users by name."""
    hq = Department(name="HQ")
    session.add(hq)
    session.flush()
    sales = Department(name="Sales", parent_id=hq.id, sort_order=1)
    finance = Department(name="Finance", parent_id=hq.id, sort_order=0)
    session.add_all([sales, finance])
    session.flush()
    east = Department(name="East", parent_id=sales.id)
    session.add(east)
    session.flush()
    shanghai = Department(name="Shanghai", parent_id=east.id)
    session.add(shanghai)
    session.flush()
    pudong = Department(name="Pudong", parent_id=shanghai.id)
    session.add(pudong)
    session.flush()

    def person(name: str, department: Department | None, boss: User | None, **more: Any) -> User:
        user = User(
            username=name,
            display_name=name.title(),
            email=f"{name}@example.com",
            main_department_id=department.id if department else None,
            supervisor_id=boss.id if boss else None,
            **more,
        )
        session.add(user)
        session.flush()
        return user

    ceo = person("ceo", hq, None)
    vp = person("vp", sales, ceo)
    cfo = person("cfo", finance, ceo)
    mgr = person("mgr", shanghai, vp)
    lead = person("lead", pudong, mgr)
    rep = person("rep", pudong, lead)
    retired = person("retired", pudong, lead, is_active=False)
    intern = person("intern", pudong, retired)
    loner = person("loner", None, None)
    hq.head_id, sales.head_id, finance.head_id = ceo.id, vp.id, cfo.id
    shanghai.head_id, pudong.head_id = mgr.id, lead.id
    session.flush()
    departments = [hq, sales, finance, east, shanghai, pudong]
    users = [ceo, vp, cfo, mgr, lead, rep, retired, intern, loner]
    found: dict[str, Any] = {d.name: d.id for d in departments}
    found.update({u.username: u.id for u in users})
    return found


@pytest.fixture
def directory(session: Session) -> SqlDirectory:
    return SqlDirectory(session)


def names(users: list[DirectoryUser]) -> list[str]:
    return [u.username for u in users]


# -- users -------------------------------------------------------------------------------


def test_user_gives_the_persons_details(directory: SqlDirectory, org: dict[str, Any]) -> None:
    assert directory.user(org["rep"]) == DirectoryUser(
        id=org["rep"],
        username="rep",
        display_name="Rep",
        email="rep@example.com",
        active=True,
        department_id=org["Pudong"],
        supervisor_id=org["lead"],
    )


def test_an_inactive_user_is_found_and_says_so(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    retired = directory.user(org["retired"])
    assert retired is not None
    assert retired.active is False


def test_an_unknown_user_is_none(directory: SqlDirectory, org: dict[str, Any]) -> None:
    assert directory.user(999_999) is None


def test_directory_values_are_frozen(directory: SqlDirectory, org: dict[str, Any]) -> None:
    rep = directory.user(org["rep"])
    with pytest.raises(FrozenInstanceError):
        rep.active = False  # type: ignore[misc, union-attr]


def test_users_keep_the_order_asked_once_each_without_unknown_ids(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    found = directory.users([org["mgr"], 999_999, org["rep"], org["mgr"], org["retired"]])
    assert names(found) == ["mgr", "rep", "retired"]


def test_users_of_no_ids_is_empty(directory: SqlDirectory, org: dict[str, Any]) -> None:
    assert directory.users([]) == []


def test_users_of_many_ids_are_read_in_chunks(directory: SqlDirectory, org: dict[str, Any]) -> None:
    ids = [*range(100_000, 101_200), org["ceo"]]
    assert names(directory.users(ids)) == ["ceo"]


# -- departments -------------------------------------------------------------------------


def test_department_gives_name_parent_and_head(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    assert directory.department(org["Shanghai"]) == DirectoryDepartment(
        id=org["Shanghai"], name="Shanghai", parent_id=org["East"], head_id=org["mgr"]
    )


def test_a_department_without_head_says_none(directory: SqlDirectory, org: dict[str, Any]) -> None:
    east = directory.department(org["East"])
    assert east is not None
    assert east.head_id is None


def test_an_unknown_department_is_none(directory: SqlDirectory, org: dict[str, Any]) -> None:
    assert directory.department(999_999) is None


def test_department_tree_lists_parents_before_children_siblings_by_order(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    tree = directory.department_tree(org["HQ"])
    assert [d.name for d in tree] == ["HQ", "Finance", "Sales", "East", "Shanghai", "Pudong"]


def test_department_tree_starts_at_the_department_asked(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    tree = directory.department_tree(org["East"])
    assert [d.name for d in tree] == ["East", "Shanghai", "Pudong"]


def test_department_tree_of_a_leaf_is_itself(directory: SqlDirectory, org: dict[str, Any]) -> None:
    assert [d.name for d in directory.department_tree(org["Pudong"])] == ["Pudong"]


def test_department_tree_of_an_unknown_department_is_empty(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    assert directory.department_tree(999_999) == []


def test_department_members_are_its_active_users(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    assert names(directory.department_members(org["Pudong"])) == ["lead", "rep", "intern"]


def test_department_members_with_descendants_reach_every_level_below(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    found = directory.department_members(org["Sales"], descendants=True)
    assert names(found) == ["vp", "mgr", "lead", "rep", "intern"]


def test_a_department_without_members_has_none(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    assert directory.department_members(org["East"]) == []


# -- supervisors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "levels", "expected"),
    [
        ("rep", 1, ["lead"]),
        ("rep", 3, ["lead", "mgr", "vp"]),
        ("rep", 4, ["lead", "mgr", "vp", "ceo"]),
        ("rep", 10, ["lead", "mgr", "vp", "ceo"]),
        ("cfo", 5, ["ceo"]),
        ("ceo", 2, []),
        ("loner", 1, []),
        ("rep", 0, []),
    ],
)
def test_supervisors_climb_the_chain_nearest_first(
    directory: SqlDirectory, org: dict[str, Any], who: str, levels: int, expected: list[str]
) -> None:
    assert names(directory.supervisors(org[who], levels)) == expected


def test_supervisors_default_to_the_direct_one(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    assert names(directory.supervisors(org["mgr"])) == ["vp"]


def test_an_inactive_supervisor_stays_in_the_chain_marked_inactive(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    chain = directory.supervisors(org["intern"], 3)
    assert names(chain) == ["retired", "lead", "mgr"]
    assert [u.active for u in chain] == [False, True, True]


def test_supervisors_of_an_unknown_user_are_none(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    assert directory.supervisors(999_999, 3) == []


def test_a_loop_in_the_supervisor_data_ends_the_chain(
    session: Session, directory: SqlDirectory, org: dict[str, Any]
) -> None:
    # the API refuses loops; data written around it must still not loop the directory
    session.execute(sa.update(User).where(User.id == org["ceo"]).values(supervisor_id=org["rep"]))
    assert names(directory.supervisors(org["rep"], 10)) == ["lead", "mgr", "vp", "ceo"]
    assert names(directory.supervisors(org["mgr"], 10)) == ["vp", "ceo", "rep", "lead"]


# -- department heads --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "levels", "expected"),
    [
        ("rep", 1, ["lead"]),
        ("rep", 2, ["lead", "mgr"]),
        ("rep", 3, ["lead", "mgr"]),  # East has no head
        ("rep", 4, ["lead", "mgr", "vp"]),
        ("rep", 5, ["lead", "mgr", "vp", "ceo"]),
        ("rep", 9, ["lead", "mgr", "vp", "ceo"]),
        ("lead", 1, ["lead"]),  # the user's own department: they head it
        ("cfo", 3, ["cfo", "ceo"]),
        ("loner", 3, []),
        ("rep", 0, []),
    ],
)
def test_department_heads_climb_the_department_tree(
    directory: SqlDirectory, org: dict[str, Any], who: str, levels: int, expected: list[str]
) -> None:
    assert names(directory.department_heads(org[who], levels)) == expected


def test_a_person_heading_two_levels_is_given_once(
    session: Session, directory: SqlDirectory, org: dict[str, Any]
) -> None:
    session.execute(
        sa.update(Department).where(Department.id == org["East"]).values(head_id=org["mgr"])
    )
    assert names(directory.department_heads(org["rep"], 4)) == ["lead", "mgr", "vp"]


def test_department_heads_of_an_unknown_user_are_none(
    directory: SqlDirectory, org: dict[str, Any]
) -> None:
    assert directory.department_heads(999_999, 3) == []


# -- app roles ---------------------------------------------------------------------------


def _role(
    session: Session,
    app: App,
    key: str,
    *,
    users: Sequence[int] = (),
    departments: Sequence[int] = (),
    all_users: bool = False,
) -> None:
    role = AppRole(app_id=app.id, key=key, name={"en": key}, all_users=all_users)
    session.add(role)
    session.flush()
    for user_id in users:
        session.execute(sa.insert(app_role_users).values(role_id=role.id, user_id=user_id))
    for department_id in departments:
        session.execute(
            sa.insert(app_role_departments).values(role_id=role.id, department_id=department_id)
        )


@pytest.fixture
def apps(session: Session, org: dict[str, Any]) -> dict[str, App]:
    """Two apps with a ``sales`` role each (different holders) and roles for everyone."""
    crm = App(key="crm", name={"en": "CRM"})
    hr = App(key="hr", name={"en": "HR"})
    session.add_all([crm, hr])
    session.flush()
    _role(session, crm, "sales", users=[org["cfo"], org["retired"]], departments=[org["Sales"]])
    _role(session, crm, "east", departments=[org["East"]])
    _role(session, crm, "everyone", all_users=True)
    _role(session, crm, "nobody")
    _role(session, hr, "sales", users=[org["loner"]])
    return {"crm": crm, "hr": hr}


def test_role_members_hold_it_directly_or_through_a_department_above_them(
    directory: SqlDirectory, org: dict[str, Any], apps: dict[str, App]
) -> None:
    found = directory.role_members("crm", "sales")
    assert names(found) == ["vp", "cfo", "mgr", "lead", "rep", "intern"]


def test_a_department_role_reaches_the_departments_below_only(
    directory: SqlDirectory, org: dict[str, Any], apps: dict[str, App]
) -> None:
    assert names(directory.role_members("crm", "east")) == ["mgr", "lead", "rep", "intern"]


def test_a_role_for_all_users_has_every_active_user(
    directory: SqlDirectory, org: dict[str, Any], apps: dict[str, App]
) -> None:
    found = directory.role_members("crm", "everyone")
    assert names(found) == ["ceo", "vp", "cfo", "mgr", "lead", "rep", "intern", "loner"]


def test_role_members_are_per_app(
    directory: SqlDirectory, org: dict[str, Any], apps: dict[str, App]
) -> None:
    assert names(directory.role_members("hr", "sales")) == ["loner"]


@pytest.mark.parametrize(("app", "role"), [("crm", "nobody"), ("crm", "ghost"), ("ghost", "sales")])
def test_an_empty_or_unknown_role_has_no_members(
    directory: SqlDirectory, org: dict[str, Any], apps: dict[str, App], app: str, role: str
) -> None:
    assert directory.role_members(app, role) == []


# -- the engines' entry point ------------------------------------------------------------


def test_engines_get_the_platform_directory_once_bootstrapped(
    session: Session, settings: Settings, org: dict[str, Any]
) -> None:
    bootstrap(settings)
    found = engine_directory.directory(session)
    assert isinstance(found, SqlDirectory)
    assert names(found.supervisors(org["lead"], 2)) == ["mgr", "vp"]
