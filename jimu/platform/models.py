"""Imports every platform table so the metadata is complete (Alembic, tests)."""

from jimu.form_engine.files import File
from jimu.form_engine.store import Form, FormVersion, RecordAudit, SerialCounter
from jimu.platform.apps.models import App
from jimu.platform.auth.models import ApiToken, LoginAttempt, LoginSession
from jimu.platform.comments.models import RecordComment
from jimu.platform.db import Base
from jimu.platform.org.models import Department, Role, User, user_roles
from jimu.platform.permissions.models import AppRole, app_role_departments, app_role_users
from jimu.platform.views.models import SavedView

__all__ = [
    "ApiToken",
    "App",
    "AppRole",
    "Base",
    "Department",
    "File",
    "Form",
    "FormVersion",
    "LoginAttempt",
    "LoginSession",
    "RecordAudit",
    "RecordComment",
    "Role",
    "SavedView",
    "SerialCounter",
    "User",
    "app_role_departments",
    "app_role_users",
    "user_roles",
]
