"""The floor of the HTTP benchmark: a bare FastAPI app with one sync JSON endpoint, served by
the same uvicorn in the same run (``uvicorn bench.http_floor:app``)."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/floor")
def floor() -> dict[str, bool]:
    """As little as FastAPI can answer: a sync endpoint returning a small JSON object."""
    return {"ok": True}
