"""The process's blob store: the data folder on this machine (``JIMU_DATA_DIR``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jimu.engines.blobs import BlobStore, LocalBlobStore
from jimu.platform.settings import Settings


@lru_cache(maxsize=4)
def _local(root: Path) -> LocalBlobStore:
    return LocalBlobStore(root)


def blob_store(settings: Settings) -> BlobStore:
    """Where uploaded files, print output and import uploads keep their bytes."""
    return _local(settings.data_dir)
