"""The Gradio app's files are PHI: a private folder (0700) that is swept and removed, Gradio's
cache inside it, analytics off."""

from __future__ import annotations

import os
import stat
import time

import pytest

from medasr.ui.ui_files import PrivateFiles, gradio_env, private_files


def test_private_folder_is_0700_and_swept(tmp_path) -> None:
    files = PrivateFiles(tmp_path / "ui", keep_seconds=60)
    assert stat.S_IMODE(files.root.stat().st_mode) == 0o700
    old = files.new_dir()
    (old / "visit.txt").write_text("PHI")
    assert stat.S_IMODE(old.stat().st_mode) == 0o700 and old.parent == files.downloads
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    new = files.new_dir()  # making a new one sweeps the old
    assert not old.exists() and new.exists()
    files.cleanup()
    assert not files.root.exists()


def test_gradio_keeps_its_cache_in_the_private_folder_and_sends_no_analytics() -> None:
    pytest.importorskip("gradio")
    files = gradio_env()
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    if os.environ.get("GRADIO_TEMP_DIR") == str(files.root / "gradio"):
        from gradio.utils import get_upload_folder

        assert get_upload_folder().startswith(str(files.root))
    from fakes.asr import FakeTranscriber

    from medasr.config import Settings
    from medasr.pipeline import build_pipeline
    from medasr.schema import Segment, Transcript
    from medasr.ui.gradio_app import _downloads, build_demo

    demo = build_demo(lambda: None)
    assert demo.analytics_enabled is False
    t = Transcript(segments=(Segment(id=0, start=0.0, end=1.0, text=" The patient is well."),), model=FakeTranscriber().info)
    paths = _downloads(build_pipeline(Settings.resolve({"model": "fake"}), transcriber=FakeTranscriber()), t, None)
    assert paths and all(p.startswith(str(private_files().root)) for p in paths)
    assert stat.S_IMODE(private_files().root.stat().st_mode) == 0o700
