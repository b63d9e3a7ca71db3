#!/usr/bin/env bash
# Fine-tune Whisper on the lent GPU (see ../shared/gpu/README.md), in three device calls.
# Nothing here was run by issue 8's session (no GPU was lent to it); the steps follow the
# README's verified recipe. Run the "prepare" step here, then each "call N" line through the
# device tool within 30 s of the previous one (the machine keeps /tmp only while warm).
#
#   scripts/gpu_train.sh prepare [BASE]     # here: weights, wheels, .debs, texts -> .gpu/
#   call 1: bash scripts/gpu_train.sh wheels                  carry: [".gpu/whl", ".gpu/sh"]
#   call 2: bash scripts/gpu_train.sh part1                   carry: [".gpu/part1"]
#   call 3: bash scripts/gpu_train.sh part2-and-train [ARGS]  carry: [".gpu/part2", ".gpu/deb", ".gpu/src"]
#   here:   scripts/gpu_train.sh collect FILES_AT             # join the returned parts -> runs/train/gpu/ct2-int8
set -euo pipefail
cmd=${1:-help}; shift || true
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GPU=$ROOT/.gpu

case "$cmd" in
prepare)
  base=${1:-tiny.en}
  grep -qx '/.gpu/' "$ROOT/.git/info/exclude" 2>/dev/null || echo /.gpu/ >> "$ROOT/.git/info/exclude"
  rm -rf "$GPU"; mkdir -p "$GPU/part1" "$GPU/part2" "$GPU/deb" "$GPU/src" "$GPU/whl" "$GPU/sh"
  # 0. ctranslate2 + faster-whisper for the machine's Python 3.12 (the export and features need them)
  cp "$ROOT"/../shared/gpu/*.sh "$GPU/sh/"
  python -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d "$GPU/whl" ctranslate2==4.8.5 faster-whisper==1.2.1
  # 1. weights: CT2 -> transformers float16 (tiny.en: 75 MB), split in two halves under 40 MB
  python - "$base" "$GPU/hf" <<'PY'
import sys
from medasr.asr.models import resolve_model
from medasr.config import Settings
from medasr.train.ct2_to_hf import convert_ct2_to_hf
convert_ct2_to_hf(resolve_model(sys.argv[1], Settings.resolve({})).path, sys.argv[2], dtype="float16")
PY
  split -b 38M "$GPU/hf/model.safetensors" "$GPU/hf/part."
  mv "$GPU/hf/part.aa" "$GPU/part1/"
  mv "$GPU/hf/part.ab" "$GPU/part2/"
  cp "$GPU/hf"/*.json "$GPU/part2/"
  # 2. TTS on the machine itself: espeak-ng .debs + the libpcaudio stand-in (README)
  (cd "$GPU/deb" && apt-get download espeak-ng libespeak-ng1 espeak-ng-data libsonic0)
  gcc -shared -fPIC -o "$GPU/deb/libpcaudio.so.0" "$ROOT/../shared/gpu/pcaudio-stub.c"
  # 3. the sentences (text only travels; audio is made there): medasr's own corpus texts
  python - "$GPU/src/sentences.jsonl" <<'PY'
import json, sys
from medasr.train.corpus import corpus_texts
with open(sys.argv[1], "w") as fh:
    for it in corpus_texts(4000, seed=1):
        fh.write(json.dumps({"id": it.id, "text": it.text, "split": it.split, "kind": it.kind}) + "\n")
PY
  python - "$GPU/src/sentences.jsonl" <<'PY'
import json, sys
from medasr.vocab.normalize import to_spoken
rows = [json.loads(l) for l in open(sys.argv[1])]
with open(sys.argv[1], "w") as fh:
    for r in rows:
        fh.write(json.dumps({**r, "spoken": to_spoken(r["text"])}) + "\n")
PY
  du -sh "$GPU"/*
  ;;
wheels)
  mkdir -p .gpu && cp -r .gpu/sh/. .gpu/ && bash .gpu/ct2-cuda-shim.sh && echo "shim ready: /tmp/ct2env"
  ;;
part1)
  cp .gpu/part1/part.aa /tmp/part.aa && ls -la /tmp/part.aa
  ;;
part2-and-train)
  # the machine has torch + transformers; medasr itself travels as the checkout; call 1 left
  # ctranslate2 + faster-whisper in /tmp/site (av is an empty stand-in: WAVs are read with the stdlib)
  source /tmp/ct2env
  export PYTHONPATH=$PWD:${PYTHONPATH:-}
  mkdir -p /tmp/hf /tmp/espeak && cp .gpu/part2/*.json /tmp/hf/ && cat /tmp/part.aa .gpu/part2/part.ab > /tmp/hf/model.safetensors
  for d in .gpu/deb/*.deb; do dpkg -x "$d" /tmp/espeak; done
  export LD_LIBRARY_PATH=$PWD/.gpu/deb:/tmp/espeak/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
  ESPEAK="/tmp/espeak/usr/bin/espeak-ng --path=/tmp/espeak/usr/lib/x86_64-linux-gnu"
  mkdir -p /tmp/corpus/audio
  python3 - "$ESPEAK" <<'PY'
import json, random, shlex, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
esp = shlex.split(sys.argv[1])
voices = [f"{a}+{v}" for a in ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan") for v in ("m1", "m3", "m7", "f2", "f4", "klatt4")]
rows = [json.loads(l) for l in open(".gpu/src/sentences.jsonl")]
rng = random.Random(0)
def one(r):
    v = rng.choice(voices)
    subprocess.run(esp + ["-v", v, "-s", str(rng.randint(150, 200)), "-w", f"/tmp/corpus/audio/{r['id']}.wav", r["spoken"]], check=True)
    return {**r, "audio": f"audio/{r['id']}.wav", "engine": "espeak-ng", "voice": v}
with ThreadPoolExecutor(16) as ex:
    out = list(ex.map(one, rows))
with open("/tmp/corpus/manifest.jsonl", "w") as fh:
    fh.writelines(json.dumps(r) + "\n" for r in out)
PY
  # train: the GPU has room for the full encoder; soundfile/av are absent there, so medasr's
  # loader reads WAVs through the stdlib (load_audio needs PyAV: carry the av wheel if it fails)
  python3 -m medasr train asr --base /tmp/hf --data /tmp/corpus --out /tmp/run --train-encoder --epochs 4 --batch-size 64 \
      --lr 2e-5 --eval-every 25 --device cuda --quantization float16 "$@" || exit 1
  cd /tmp/run/hf && split -b 15M model.safetensors "$OUT/hf.part." && cp config.json generation_config.json /tmp/run/train_summary.json /tmp/run/train_log.jsonl "$OUT/"
  ;;
collect)
  at=${1:?give the files_at folder of the last call}
  mkdir -p "$ROOT/runs/train/gpu/hf"
  cat "$at"/hf.part.* > "$ROOT/runs/train/gpu/hf/model.safetensors"
  cp "$at"/config.json "$at"/generation_config.json "$ROOT/runs/train/gpu/hf/"
  cp "$at"/train_summary.json "$at"/train_log.jsonl "$ROOT/runs/train/gpu/"
  python - "$ROOT/runs/train/gpu" <<'PY'
import shutil, sys
from pathlib import Path
from medasr.asr.models import resolve_model
from medasr.config import Settings
from medasr.train.export import export_ct2
run = Path(sys.argv[1])
shutil.copyfile(resolve_model("tiny.en", Settings.resolve({})).path / "tokenizer.json", run / "hf" / "tokenizer.json")
print(export_ct2(run / "hf", run / "ct2-int8", "int8"))
PY
  ;;
*)
  sed -n 2,14p "$0"
  ;;
esac
