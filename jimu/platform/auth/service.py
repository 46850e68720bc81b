"""Sign-in, login sessions, personal API tokens and throttling of failed logins."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, Signer
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from jimu.engines.errors import NotAuthenticated, NotFound, TooManyRequests
from jimu.engines.i18n import text
from jimu.platform.auth.models import ApiToken, LoginAttempt, LoginSession
from jimu.platform.auth.passwords import verify_password
from jimu.platform.db import READ_ONLY, transaction, utcnow
from jimu.platform.org.models import User
from jimu.platform.settings import Settings

TOKEN_PREFIX = "jimu_"
TOUCH_EVERY = timedelta(minutes=5)
ATTEMPTS_KEPT = timedelta(days=7)
WRONG_LOGIN = text("Wrong username or password.", "用户名或密码错误。")
SESSION_EXPIRED = text("Your session has expired; sign in again.", "登录已过期，请重新登录。")
BAD_TOKEN = text("The API token is invalid, expired or revoked.", "API 令牌无效、已过期或已撤销。")


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _signer(settings: Settings) -> Signer:
    return Signer(settings.secret_key, salt="jimu.session")


@dataclass(frozen=True)
class Principal:
    """Who is calling and how they proved it.

    Attributes:
        via: ``session`` (cookie) or ``token`` (Bearer).
        session_id: the login session, for logout.
        token_id: the API token, for a Bearer caller.
        stale: its last use was recorded more than TOUCH_EVERY ago (see ``note_use``).
    """

    user: User
    via: str
    session_id: str | None = None
    token_id: int | None = None
    stale: bool = False


@dataclass(frozen=True)
class NewLogin:
    """A fresh login: the cookie value to send and the user it belongs to."""

    cookie_value: str
    user: User
    expires_at: datetime


def _check_throttle(session: Session, settings: Settings, username: str, ip: str | None) -> None:
    """Refuses a sign-in after too many recent failures for this username from this client
    address, or for any username from it: failures from elsewhere never lock a user out."""
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    failures = select(func.count(), func.min(LoginAttempt.attempted_at)).where(
        LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at >= since
    )
    same_client = LoginAttempt.ip == ip if ip else LoginAttempt.ip.is_(None)
    checks = [
        (
            failures.where(LoginAttempt.username == username, same_client),
            settings.login_max_failures,
        )
    ]
    if ip:
        checks.append((failures.where(same_client), settings.login_max_failures * 4))
    for query, limit in checks:
        count, oldest = session.execute(query).one()
        if count >= limit and oldest is not None:
            window_end = oldest + timedelta(minutes=settings.login_window_minutes)
            wait = max(1, int((window_end - utcnow()).total_seconds()) + 1)
            raise TooManyRequests(
                text(
                    "Too many failed sign-ins; try again in {seconds} seconds.",
                    "登录失败次数过多，请在 {seconds} 秒后重试。",
                    seconds=wait,
                ),
                retry_after=wait,
            )


def login(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    username: str,
    password: str,
    ip: str | None,
    user_agent: str | None,
) -> NewLogin:
    """Checks the password and opens a login session; throttles repeated failures.

    Runs its own transaction: a failed attempt must be recorded even though the
    request fails.
    """
    with transaction(factory) as session:
        _check_throttle(session, settings, username, ip)
        user = session.scalar(select(User).where(User.username == username))
        ok = verify_password(password, user.password_hash if user else None)
        succeeded = user is not None and ok and user.is_active
        session.add(LoginAttempt(username=username, ip=ip, succeeded=succeeded))
        now = utcnow()
        session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - ATTEMPTS_KEPT))
        if not succeeded or user is None:
            new = None
        else:
            raw = secrets.token_urlsafe(32)
            expires_at = now + timedelta(hours=settings.session_hours)
            session.add(
                LoginSession(
                    id=_sha256(raw),
                    user_id=user.id,
                    created_at=now,
                    expires_at=expires_at,
                    last_seen_at=now,
                    ip=ip,
                    user_agent=(user_agent or "")[:300] or None,
                )
            )
            user.last_login_at = now
            session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
            new = NewLogin(_signer(settings).sign(raw).decode(), user, expires_at)
    if new is None:
        raise NotAuthenticated(WRONG_LOGIN)
    return new


def logout(session: Session, principal: Principal) -> None:
    """Ends the caller's login session (a token caller has none to end)."""
    if principal.session_id:
        session.execute(delete(LoginSession).where(LoginSession.id == principal.session_id))


# built once: building a statement costs more than running it (for every request)
_SESSION_USER = (
    select(LoginSession, User)
    .join(User, User.id == LoginSession.user_id)
    .options(joinedload(User.roles))
    .where(LoginSession.id == bindparam("id"))
)
_TOKEN_USER = (
    select(ApiToken, User)
    .join(User, User.id == ApiToken.user_id)
    .options(joinedload(User.roles))
    .where(ApiToken.token_hash == bindparam("hash"))
)


def principal_from_cookie(session: Session, settings: Settings, cookie: str) -> Principal:
    """The user of a session cookie, or NotAuthenticated."""
    try:
        raw = _signer(settings).unsign(cookie).decode()
    except (BadSignature, UnicodeDecodeError) as exc:
        raise NotAuthenticated(SESSION_EXPIRED) from exc
    found = session.execute(_SESSION_USER, {"id": _sha256(raw)}).first()
    now = utcnow()
    if found is None or found[0].expires_at <= now or not found[1].is_active:
        raise NotAuthenticated(SESSION_EXPIRED)
    row, user = found
    stale = now - row.last_seen_at > TOUCH_EVERY
    return Principal(user=user, via="session", session_id=row.id, stale=stale)


def principal_from_token(session: Session, token: str) -> Principal:
    """The user of a Bearer token, or NotAuthenticated."""
    found = session.execute(_TOKEN_USER, {"hash": _sha256(token)}).first()
    now = utcnow()
    if found is None:
        raise NotAuthenticated(BAD_TOKEN)
    row, user = found
    if (
        row.revoked_at is not None
        or (row.expires_at is not None and row.expires_at <= now)
        or not user.is_active
    ):
        raise NotAuthenticated(BAD_TOKEN)
    stale = row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY
    return Principal(user=user, via="token", token_id=row.id, stale=stale)


def note_use(session: Session, factory: sessionmaker[Session], principal: Principal) -> None:
    """Records that the caller's login session or token is in use, at most every
    TOUCH_EVERY: in the request's unit of work when it writes, else in one of its own (a
    reading request writes nothing)."""
    if not principal.stale:
        return
    now = utcnow()
    if principal.session_id is not None:
        touch = update(LoginSession).where(LoginSession.id == principal.session_id)
        statement = touch.values(last_seen_at=now)
    elif principal.token_id is not None:
        statement = update(ApiToken).where(ApiToken.id == principal.token_id)
        statement = statement.values(last_used_at=now)
    else:
        return
    if session.info.get(READ_ONLY):
        with transaction(factory) as own:
            own.execute(statement)
    else:
        session.execute(statement)


def create_token(
    session: Session, user: User, *, name: str, expires_in_days: int | None
) -> tuple[ApiToken, str]:
    """Issues a personal API token; the plain token is returned once and never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user_id=user.id,
        name=name,
        prefix=plain[:12],
        token_hash=_sha256(plain),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(row)
    session.flush()
    return row, plain


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """The caller's tokens, newest first, revoked ones included."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revokes one of the caller's tokens."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(text("API token", "API 令牌"), token_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def end_all_access(session: Session, user_id: int, *, keep: Principal | None = None) -> None:
    """Signs a user out everywhere and revokes their tokens (deactivation, password change);
    ``keep``: the caller's own session or token stays valid."""
    sessions = delete(LoginSession).where(LoginSession.user_id == user_id)
    tokens = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    if keep is not None and keep.session_id is not None:
        sessions = sessions.where(LoginSession.id != keep.session_id)
    if keep is not None and keep.token_id is not None:
        tokens = tokens.where(ApiToken.id != keep.token_id)
    session.execute(sessions)
    session.execute(tokens.values(revoked_at=utcnow()))
