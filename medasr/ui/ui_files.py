"""Where the Gradio app keeps what it writes: transcripts, notes and FHIR bundles are PHI.

One private folder per process (mode 0700, under the system's temp folder): Gradio's own
cache (uploads, and the copies it serves for download) lives in it, and so do our download
files, each request in its own subfolder. Subfolders older than ``keep_seconds`` are removed
whenever a new one is made, and the whole folder when the process exits. Gradio's analytics
are switched off before Gradio is imported: nothing about a session leaves the machine.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

_LOCK = threading.Lock()
_FILES: PrivateFiles | None = None


class PrivateFiles:
    def __init__(self, root: Path, keep_seconds: float = 3600.0) -> None:
        self.root = root
        self.keep_seconds = keep_seconds
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self.downloads = self.root / "downloads"
        self.downloads.mkdir(mode=0o700, exist_ok=True)

    def new_dir(self) -> Path:
        """A fresh private folder for one request's files (old ones are swept first)."""
        self.sweep()
        return Path(tempfile.mkdtemp(prefix="req-", dir=self.downloads))

    def sweep(self, now: float | None = None) -> int:
        now = time.time() if now is None else now
        gone = 0
        for d in self.downloads.iterdir():
            try:
                if now - d.stat().st_mtime > self.keep_seconds:
                    shutil.rmtree(d, ignore_errors=True)
                    gone += 1
            except FileNotFoundError:
                continue
        return gone

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def private_files() -> PrivateFiles:
    """The process's private folder (made on first use, removed at exit)."""
    global _FILES
    with _LOCK:
        if _FILES is None:
            _FILES = PrivateFiles(Path(tempfile.mkdtemp(prefix="medasr-ui-")))
            atexit.register(_FILES.cleanup)
        return _FILES


def gradio_env() -> PrivateFiles:
    """Call before ``import gradio``: analytics off, Gradio's cache in the private folder
    (unless GRADIO_TEMP_DIR names another on purpose)."""
    files = private_files()
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ.setdefault("GRADIO_TEMP_DIR", str(files.root / "gradio"))
    return files
