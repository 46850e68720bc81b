"""The floor of the HTTP benchmark: a bare FastAPI app with one sync JSON endpoint, served by
uvicorn as ``jimu serve`` runs it, in the same run (``python -m bench.http_floor PORT N``)."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/floor")
def floor() -> dict[str, bool]:
    """As little as FastAPI can answer: a sync endpoint returning a small JSON object."""
    return {"ok": True}


if __name__ == "__main__":
    import sys

    import uvicorn

    from jimu.platform.serving import PROTOCOL

    uvicorn.run(
        "bench.http_floor:app",
        port=int(sys.argv[1]),
        workers=int(sys.argv[2]),
        http=PROTOCOL,
        access_log=False,
        log_level="warning",
    )
