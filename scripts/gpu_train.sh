#!/usr/bin/env bash
# Fine-tune Whisper tiny.en on the lent GPU (../shared/gpu/README.md) with medasr.train.gpu.finetune.
#
# A device call carries at most 64 MiB and the machine forgets /tmp 30 s after a call, so the
# work is three calls back to back, then the trained tensors come home:
#   here:   scripts/gpu_train.sh prepare PLAN_SEED N [CORPUS...]   # -> .gpu/c0 .gpu/c1 .gpu/c2
#           (scripts/gpu_train.sh plan SEED N OUT [CORPUS...] rewrites only the plan rows)
#   call 1: bash scripts/gpu_train.sh c0      carry [".gpu/c0"]   wheels, .debs, audio bundle 0
#   call 2: bash scripts/gpu_train.sh c1      carry [".gpu/c1"]   weights part 1, audio bundle 1
#   (call:  bash scripts/gpu_train.sh cinit   carry [".gpu/cinit"] an earlier run's trained tensors; then c2 ARGS --init /tmp/init.safetensors)
#   call 3: bash scripts/gpu_train.sh c2 ARGS carry [".gpu/c2"]   weights part 2, plan rows; render + train
#   (call:  bash scripts/gpu_train.sh c4 ARGS carry [".gpu/c4"]   corrector pairs: render .gpu/c4/plan.jsonl.gz, transcribe with
#           --weights NAME=/tmp/run-X/trained.safetensors (or NAME=none, the base); pairs.jsonl.gz comes home)
#   here:   scripts/gpu_train.sh collect FILES_AT RUN            # join, assemble, export CTranslate2
set -euo pipefail
cmd=${1:-help}; shift || true
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GPU=$ROOT/.gpu
PY=${PYTHON:-python}
TTS=/tmp/tts

device_env() {
  export PYTHONPATH=$PWD:/tmp/site:${PYTHONPATH:-}
  export LD_LIBRARY_PATH=$TTS:$TTS/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
}

case "$cmd" in
prepare)
  seed=${1:?plan seed}; n=${2:?number of utterances to plan}; shift 2
  mkdir -p "$ROOT/.git/info"; grep -qx '/.gpu/' "$ROOT/.git/info/exclude" 2>/dev/null || echo /.gpu/ >> "$ROOT/.git/info/exclude"
  rm -rf "$GPU/c0" "$GPU/c1" "$GPU/c2" "$GPU/hf" "$GPU/opus"; mkdir -p "$GPU/c0/whl" "$GPU/c0/deb" "$GPU/c0/corpus" "$GPU/c1/corpus" "$GPU/c2/hf" "$GPU/c2/corpus"
  $PY -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    -d "$GPU/c0/whl" soundfile==0.13.1 cffi pycparser
  (cd "$GPU/c0/deb" && apt-get download espeak-ng libespeak-ng1 espeak-ng-data libsonic0 flite libflite1 libasound2 2>/dev/null)
  gcc -shared -fPIC -o "$GPU/c0/deb/libpcaudio.so.0" "$ROOT/../shared/gpu/pcaudio-stub.c"
  # tiny.en as transformers float16 (75 MB) in two parts
  $PY - "$GPU/hf" <<'PY'
import shutil, sys
from medasr.store.whisper import resolve_model
from medasr.config import Settings
from medasr.train.convert.ct2_to_hf import convert_ct2_to_hf
rm = resolve_model("tiny.en", Settings.resolve({}))
convert_ct2_to_hf(rm.path, sys.argv[1], dtype="float16")
shutil.copyfile(rm.path / "tokenizer.json", f"{sys.argv[1]}/tokenizer.json")
PY
  split -n 2 "$GPU/hf/model.safetensors" "$GPU/hf/part."
  mv "$GPU/hf/part.aa" "$GPU/c1/"; mv "$GPU/hf/part.ab" "$GPU/c2/hf/"; cp "$GPU/hf"/*.json "$GPU/c2/hf/"
  bash "$0" plan "$seed" "$n" "$GPU/c2/plan.jsonl.gz" "$@"
  # festival and piper audio as Opus, in bundles that fit beside the rest of each call
  for c in "$@"; do
    $PY - "$c" "$GPU/opus" <<'PY'
import sys
from pathlib import Path
from medasr.train.gpu.carry import opus_bundles
c = Path(sys.argv[1]); m = c / "manifest.jsonl" if c.is_dir() else c
print(opus_bundles(m, Path(sys.argv[2]), engines=["festival", "piper", "kokoro"], limit_bytes=9_000_000, name=m.parent.name))
PY
  done
  # fill c0, then c1, then c2 with bundles while each stays under 62 MB
  for b in "$GPU"/opus/*/; do
    for c in c0 c1 c2; do
      if [ $(( $(du -sb "$GPU/$c" | cut -f1) + $(du -sb "$b" | cut -f1) )) -lt 62000000 ]; then mv "$b" "$GPU/$c/corpus/"; break; fi
    done
  done
  left=$(ls "$GPU/opus" | wc -l); [ "$left" = 0 ] || echo "warning: $left audio bundles did not fit and stay in .gpu/opus"
  du -sh "$GPU"/c0 "$GPU"/c1 "$GPU"/c2
  ;;
plan)
  seed=${1:?plan seed}; n=${2:?number of utterances}; out=${3:?plan.jsonl.gz}; shift 3
  # plan rows (text only) for espeak-ng and flite: a fresh synth plan's train and dev rows
  # (held-out terms never reach train), general English, and the renderable rows of the corpora
  $PY - "$seed" "$n" "$out" "$@" <<'PY'
import random, sys
from pathlib import Path
from medasr.config import Settings
from medasr.synth.engines.cli_engines import EspeakEngine, FliteEngine
from medasr.synth.plan import PlanConfig, make_plan
from medasr.synth.run import load_vocab
from medasr.train.whisper.corpus import general_sentences, short_sentences
from medasr.train.gpu.carry import RENDERABLE, manifest_rows, plan_row, write_plan
seed, n, out, corpora = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), [Path(p) for p in sys.argv[4:]]
voices = EspeakEngine().voices() + FliteEngine().voices()
plan = make_plan(PlanConfig(n=n, seed=seed, engine_weights={"espeak-ng": 0.55, "flite": 0.45}), load_vocab(Settings.resolve({})), voices)
rows = [{"id": u.id, "text": u.sentence.text, "spoken": u.sentence.spoken, "engine": u.voice.engine, "voice": u.voice.name, "rate": u.params.rate,
         "pitch": u.params.pitch, "split": u.split, "kind": "medical"} for u in plan.utterances if u.split != "test"]
train_voices = [v for v in voices if not v.heldout]
rng = random.Random(seed)
def spoken_by_training_voices(texts, prefix, kind, dev_every=0):
    for i, t in enumerate(texts):
        v = rng.choice(train_voices)
        rows.append({"id": f"{prefix}{seed}-{i:05d}", "text": t, "spoken": t, "engine": v.engine, "voice": v.name, "rate": round(rng.uniform(0.85, 1.15), 3),
                     "pitch": round(rng.uniform(0.85, 1.15), 3), "split": "dev" if dev_every and i % dev_every == 0 else "train", "kind": kind})
spoken_by_training_voices(general_sentences(max(1, n // 4), seed=seed), "g", "general")
# short speech alone ("Three.", "Yes."): without it a fine-tuned model writes words for a digit said alone
spoken_by_training_voices(short_sentences(max(1, n // 10), seed=seed), "h", "short", dev_every=10)
for c in corpora:
    m = c / "manifest.jsonl" if c.is_dir() else c
    rows += [plan_row(r, prefix=m.parent.name + "/") for r in manifest_rows(m) if r.get("engine") in RENDERABLE]
print("plan rows:", write_plan(rows, out))
PY
  ;;
c0)
  mkdir -p /tmp/site $TTS /tmp/corpus
  python3 -c "import sys, zipfile; [zipfile.ZipFile(w).extractall('/tmp/site') for w in sys.argv[1:]]" .gpu/c0/whl/*.whl
  for d in .gpu/c0/deb/*.deb; do dpkg -x "$d" $TTS; done
  cp .gpu/c0/deb/libpcaudio.so.0 $TTS/
  cp -r .gpu/c0/corpus/. /tmp/corpus/
  device_env
  $TTS/usr/bin/espeak-ng --path=$TTS/usr/lib/x86_64-linux-gnu -v en-us+m3 -w /tmp/e.wav "metformin five hundred milligrams" && ls -la /tmp/e.wav
  $TTS/usr/bin/flite -voice slt -t "metformin" -o /tmp/f.wav && ls -la /tmp/f.wav
  python3 -c "import soundfile, torch; print('soundfile', soundfile.__version__, 'torch', torch.__version__, torch.cuda.get_device_name(0))"
  ls /tmp/corpus; nproc; free -g | head -2
  ;;
c1)
  cp .gpu/c1/part.aa /tmp/part.aa; mkdir -p /tmp/corpus; cp -r .gpu/c1/corpus/. /tmp/corpus/; ls -la /tmp/part.aa; ls /tmp/corpus
  ;;
c2)
  device_env
  mkdir -p /tmp/hf && cp .gpu/c2/hf/*.json /tmp/hf/ && cat /tmp/part.aa .gpu/c2/hf/part.ab > /tmp/hf/model.safetensors
  cp -r .gpu/c2/corpus/. /tmp/corpus/
  corp=(); for d in /tmp/corpus/*/; do corp+=(--corpus "${d%/}"); done
  python3 -m medasr.train.gpu.finetune train --base /tmp/hf --plan .gpu/c2/plan.jsonl.gz "${corp[@]}" \
    --espeak "$TTS/usr/bin/espeak-ng --path=$TTS/usr/lib/x86_64-linux-gnu" --flite "$TTS/usr/bin/flite" "$@"
  for r in /tmp/run-*; do [ -f "$r/trained.safetensors" ] && split -b 15M "$r/trained.safetensors" "$OUT/$(basename "$r").part."; done
  tar czf "$OUT/logs.tgz" -C /tmp $(cd /tmp && ls -d run-*/train_log.jsonl run-*/train_summary.json 2>/dev/null)
  ls -la "$OUT"
  ;;
cinit)
  cp .gpu/cinit/init.safetensors /tmp/init.safetensors && ls -la /tmp/init.safetensors
  ;;
c4)
  device_env
  python3 -m medasr.train.gpu.finetune transcribe --base /tmp/hf --plan .gpu/c4/plan.jsonl.gz \
    --espeak "$TTS/usr/bin/espeak-ng --path=$TTS/usr/lib/x86_64-linux-gnu" --flite "$TTS/usr/bin/flite" --out "$OUT/pairs.jsonl.gz" "$@"
  ls -la "$OUT"
  ;;
collect)
  at=${1:?the files_at folder of call 3}; dest=${2:?a run folder, e.g. runs/train/gpu1}
  mkdir -p "$dest"; tar xzf "$at/logs.tgz" -C "$dest"
  for r in $(cd "$at" && ls *.part.* | sed 's/\.part\..*//' | sort -u); do
    mkdir -p "$dest/$r"; cat "$at/$r".part.* > "$dest/$r/trained.safetensors"
    $PY -m medasr.train.gpu.finetune assemble --base tiny.en --weights "$dest/$r/trained.safetensors" --out "$dest/$r"
  done
  ;;
*)
  sed -n 2,11p "$0"
  ;;
esac
