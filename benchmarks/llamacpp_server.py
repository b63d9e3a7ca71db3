"""A local OpenAI-compatible endpoint for the ``openai`` note backend: llama.cpp's own HTTP
server, in-process (the ``xllamacpp`` wheel), on 127.0.0.1 with a bundled GGUF.

    python benchmarks/llamacpp_server.py --model 0.5b --url-file /tmp/llm-url &
    medasr bench notes -b openai --llm-url "$(cat /tmp/llm-url)" --llm-model qwen --split heldout

It prints (and writes to ``--url-file``) the endpoint's base URL, then serves until killed.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="0.5b", help="0.5b (the local default), 1.5b or a .gguf path")
    ap.add_argument("--threads", type=int, default=1, help="generation threads")
    ap.add_argument("--batch-threads", type=int, default=2, help="prompt threads")
    ap.add_argument("--url-file", type=Path, default=None)
    a = ap.parse_args()
    from medasr.config import Settings
    from medasr.note.llamacpp import LlamaCppChat

    settings = Settings.resolve({"llm_model": a.model, "llm_threads": a.threads, "llm_batch_threads": a.batch_threads})
    url = LlamaCppChat.for_settings(settings).url  # loads the model and starts the server
    print(url, flush=True)
    if a.url_file:
        a.url_file.write_text(url + "\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()


if __name__ == "__main__":
    main()
