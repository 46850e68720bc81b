"""The ``jimu`` command: serve, migrate, createuser, passwd, bootstrap-admin, schema, analyze,
version."""

from __future__ import annotations

import argparse
import secrets
import sys

from sqlalchemy import func, select

from jimu import __version__
from jimu.engines.errors import JimuError
from jimu.platform.db import make_engine, make_session_factory, transaction
from jimu.platform.org.models import PLATFORM_ADMIN, User
from jimu.platform.settings import get_settings

LOCAL = ("schema", "version")  # commands that neither read settings nor touch the database


def _migrate(_: argparse.Namespace) -> int:
    from jimu.platform.migrate import upgrade
    from jimu.platform.org.service import ensure_system_roles

    settings = get_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        ensure_system_roles(session)
    print(f"database migrated: {engine.url.render_as_string(hide_password=True)}")
    return 0


def _create_user(username: str, password: str, *, admin: bool, display_name: str | None) -> User:
    from jimu.platform.org.schemas import UserCreate
    from jimu.platform.org.service import create_user, ensure_system_roles

    engine = make_engine(get_settings().database_url)
    with transaction(make_session_factory(engine)) as session:
        ensure_system_roles(session)
        data = UserCreate(
            username=username,
            display_name=display_name or username,
            password=password,
            roles=[PLATFORM_ADMIN] if admin else [],
        )
        return create_user(session, data)


def _createuser(args: argparse.Namespace) -> int:
    try:
        user = _create_user(
            args.username, args.password, admin=args.admin, display_name=args.display_name
        )
    except JimuError as exc:
        print(f"error: {exc.detail.render('en')}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"created user {user.username} (id {user.id}){' as platform admin' if args.admin else ''}"
    )
    return 0


def _bootstrap_admin(_: argparse.Namespace) -> int:
    """Creates the first admin with a random password when there are no users at all."""
    engine = make_engine(get_settings().database_url)
    with transaction(make_session_factory(engine)) as session:
        count = session.scalar(select(func.count()).select_from(User)) or 0
    if count:
        print("admin login: already set up (use `jimu passwd USERNAME` to reset a password)")
        return 0
    password = secrets.token_urlsafe(12)
    _create_user("admin", password, admin=True, display_name="Administrator 管理员")
    bar = "=" * 60
    print(
        f"{bar}\n  Jimu admin login (shown only this once)\n"
        f"  username: admin\n  password: {password}\n{bar}"
    )
    return 0


def _passwd(args: argparse.Namespace) -> int:
    from jimu.platform.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
    from jimu.platform.auth.service import end_all_access

    if len(args.password) < MIN_PASSWORD_LENGTH:
        print(
            f"error: the password needs {MIN_PASSWORD_LENGTH} characters at least", file=sys.stderr
        )
        return 1
    engine = make_engine(get_settings().database_url)
    with transaction(make_session_factory(engine)) as session:
        user = session.scalar(select(User).where(User.username == args.username))
        if user is None:
            print(f"error: no user {args.username!r}", file=sys.stderr)
            return 1
        user.password_hash = hash_password(args.password)
        end_all_access(session, user.id)
    print(f"password of {args.username} changed; their sessions and tokens were ended")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from jimu.platform.serving import PROTOCOL

    print(f"Jimu {__version__} on http://{args.host}:{args.port}")
    uvicorn.run(
        "jimu.platform.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        http=PROTOCOL,
        log_level="info",
    )
    return 0


def _schema(args: argparse.Namespace) -> int:
    import json

    from jimu.form_engine.spec import form_json_schema

    schemas = {"form": form_json_schema}
    print(json.dumps(schemas[args.kind](), ensure_ascii=False, indent=2))
    return 0


def _analyze(_: argparse.Namespace) -> int:
    from jimu.platform.db import refresh_statistics

    engine = make_engine(get_settings().database_url)
    refresh_statistics(engine)
    print("query planner statistics refreshed")
    return 0


def _version(_: argparse.Namespace) -> int:
    print(f"jimu {__version__}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``jimu`` command."""
    parser = argparse.ArgumentParser(prog="jimu", description="Jimu (积木) app builder")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the web app and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="IPS",
        help="comma-separated addresses of the proxies whose X-Forwarded-For is trusted "
        "(default: $FORWARDED_ALLOW_IPS, else 127.0.0.1,::1; '*' trusts any)",
    )
    serve.set_defaults(func=_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)

    create = sub.add_parser("createuser", help="create a user")
    create.add_argument("username")
    create.add_argument("--password", required=True)
    create.add_argument("--display-name")
    create.add_argument("--admin", action="store_true", help="make the user a platform admin")
    create.set_defaults(func=_createuser)

    passwd = sub.add_parser("passwd", help="set a user's password")
    passwd.add_argument("username")
    passwd.add_argument("--password", required=True)
    passwd.set_defaults(func=_passwd)

    sub.add_parser(
        "bootstrap-admin", help="create the first admin (random password) if there are no users"
    ).set_defaults(func=_bootstrap_admin)
    schema = sub.add_parser("schema", help="print the JSON Schema of a metadata kind")
    schema.add_argument("kind", choices=["form"])
    schema.set_defaults(func=_schema)
    sub.add_parser(
        "analyze", help="refresh the query planner's statistics (SQLite; after large imports)"
    ).set_defaults(func=_analyze)
    sub.add_parser("version", help="print the version").set_defaults(func=_version)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the ``jimu`` command."""
    args = build_parser().parse_args(argv)
    if args.command not in LOCAL:
        from jimu.platform.bootstrap import bootstrap

        bootstrap(get_settings())
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
