"""Endpoints for users, departments and roles (reads for everyone, writes for admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from jimu.platform.deps import AdminUser, CurrentUser, PrincipalDep, SessionDep
from jimu.platform.org import service
from jimu.platform.org.models import Department, Role
from jimu.platform.org.schemas import (
    DepartmentCreate,
    DepartmentRead,
    DepartmentUpdate,
    RoleCreate,
    RoleRead,
    RoleUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)
from jimu.platform.responses import PROBLEMS
from jimu.platform.schemas import MAX_ID, IdPath, Key, Page, SearchText

router = APIRouter(responses=PROBLEMS)


@router.get("/api/users", response_model=Page[UserRead], tags=["organisation"])
def list_users(
    _: CurrentUser,
    session: SessionDep,
    q: Annotated[SearchText | None, Query(description="part of username, name or email")] = None,
    department_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    role: Annotated[Key | None, Query()] = None,
    active: bool | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[UserRead]:
    """Lists users, filtered and paged."""
    users, total = service.list_users(
        session,
        q=q,
        department_id=department_id,
        role=role,
        active=active,
        page=page,
        page_size=page_size,
    )
    items = [UserRead.model_validate(u) for u in users]
    return Page[UserRead](items=items, total=total, page=page, page_size=page_size)


@router.post("/api/users", response_model=UserRead, status_code=201, tags=["organisation"])
def create_user(body: UserCreate, _: AdminUser, session: SessionDep) -> UserRead:
    """Creates a user."""
    return UserRead.model_validate(service.create_user(session, body))


@router.get("/api/users/{user_id}", response_model=UserRead, tags=["organisation"])
def read_user(user_id: IdPath, _: CurrentUser, session: SessionDep) -> UserRead:
    """Gets one user."""
    return UserRead.model_validate(service.get_user(session, user_id))


@router.patch("/api/users/{user_id}", response_model=UserRead, tags=["organisation"])
def update_user(
    user_id: IdPath,
    body: UserUpdate,
    actor: AdminUser,
    principal: PrincipalDep,
    session: SessionDep,
) -> UserRead:
    """Changes a user; setting a new password signs them out everywhere (an admin setting
    their own stays signed in where they are)."""
    changed = service.update_user(session, actor, user_id, body, caller=principal)
    return UserRead.model_validate(changed)


@router.delete("/api/users/{user_id}", response_model=UserRead, tags=["organisation"])
def deactivate_user(user_id: IdPath, actor: AdminUser, session: SessionDep) -> UserRead:
    """Deactivates a user: they can no longer sign in; their history stays."""
    return UserRead.model_validate(service.deactivate_user(session, actor, user_id))


def _department_reads(session: Session, departments: list[Department]) -> list[DepartmentRead]:
    counts = service.member_counts(session, [d.id for d in departments])
    return [
        DepartmentRead.model_validate(d).model_copy(update={"member_count": counts.get(d.id, 0)})
        for d in departments
    ]


@router.get("/api/departments", response_model=Page[DepartmentRead], tags=["organisation"])
def list_departments(_: CurrentUser, session: SessionDep) -> Page[DepartmentRead]:
    """Lists every department (a tree through ``parent_id``)."""
    items = _department_reads(session, service.list_departments(session))
    return Page[DepartmentRead](items=items, total=len(items), page=1, page_size=len(items))


@router.post(
    "/api/departments", response_model=DepartmentRead, status_code=201, tags=["organisation"]
)
def create_department(body: DepartmentCreate, _: AdminUser, session: SessionDep) -> DepartmentRead:
    """Creates a department."""
    return _department_reads(session, [service.create_department(session, body)])[0]


@router.get(
    "/api/departments/{department_id}", response_model=DepartmentRead, tags=["organisation"]
)
def read_department(department_id: IdPath, _: CurrentUser, session: SessionDep) -> DepartmentRead:
    """Gets one department."""
    return _department_reads(session, [service.get_department(session, department_id)])[0]


@router.patch(
    "/api/departments/{department_id}", response_model=DepartmentRead, tags=["organisation"]
)
def update_department(
    department_id: IdPath, body: DepartmentUpdate, _: AdminUser, session: SessionDep
) -> DepartmentRead:
    """Renames, moves or re-heads a department; a department cannot be its own ancestor."""
    department = service.update_department(session, department_id, body)
    return _department_reads(session, [department])[0]


@router.delete("/api/departments/{department_id}", status_code=204, tags=["organisation"])
def delete_department(department_id: IdPath, _: AdminUser, session: SessionDep) -> Response:
    """Deletes an empty department; one with members or sub-departments is refused."""
    service.delete_department(session, department_id)
    return Response(status_code=204)


def _role_reads(session: Session, roles: list[Role]) -> list[RoleRead]:
    counts = service.role_member_counts(session)
    return [
        RoleRead.model_validate(r).model_copy(update={"member_count": counts.get(r.id, 0)})
        for r in roles
    ]


@router.get("/api/roles", response_model=Page[RoleRead], tags=["organisation"])
def list_roles(_: CurrentUser, session: SessionDep) -> Page[RoleRead]:
    """Lists every role."""
    items = _role_reads(session, service.list_roles(session))
    return Page[RoleRead](items=items, total=len(items), page=1, page_size=len(items))


@router.post("/api/roles", response_model=RoleRead, status_code=201, tags=["organisation"])
def create_role(body: RoleCreate, _: AdminUser, session: SessionDep) -> RoleRead:
    """Creates a custom role."""
    return _role_reads(session, [service.create_role(session, body)])[0]


@router.get("/api/roles/{role_id}", response_model=RoleRead, tags=["organisation"])
def read_role(role_id: IdPath, _: CurrentUser, session: SessionDep) -> RoleRead:
    """Gets one role."""
    return _role_reads(session, [service.get_role(session, role_id)])[0]


@router.patch("/api/roles/{role_id}", response_model=RoleRead, tags=["organisation"])
def update_role(role_id: IdPath, body: RoleUpdate, _: AdminUser, session: SessionDep) -> RoleRead:
    """Renames a role."""
    return _role_reads(session, [service.update_role(session, role_id, body)])[0]


@router.delete("/api/roles/{role_id}", status_code=204, tags=["organisation"])
def delete_role(role_id: IdPath, _: AdminUser, session: SessionDep) -> Response:
    """Deletes a custom role; built-in roles are refused."""
    service.delete_role(session, role_id)
    return Response(status_code=204)
