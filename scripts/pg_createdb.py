"""Creates the PostgreSQL database named in a SQLAlchemy URL when it does not exist."""

import sys

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url


def main(url: str) -> None:
    """Connects to the server's ``postgres`` database and creates the target if missing."""
    parsed = make_url(url)
    conninfo = {
        "host": parsed.host or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username or "postgres",
        "password": parsed.password,
        "dbname": "postgres",
    }
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parsed.database)))
            print(f"created database {parsed.database}")


if __name__ == "__main__":
    main(sys.argv[1])
