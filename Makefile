# medasr: the two commands that matter are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: audio decoding/conversion, TTS engines (tests and the synthetic corpus),
# LibriVox test clips, the Asterisk prompts (real read English: audio and texts), and Chromium for
# the headless UI test.
APT_CORE := espeak-ng ffmpeg
APT_ALL := $(APT_CORE) flite sox festival festvox-kallpc16k festvox-us-slt-hts pocketsphinx-testdata asterisk-core-sounds-en-wav asterisk-core-sounds-en chromium
SAMPLE ?= $(firstword $(wildcard ../shared/data/real-speech/jfk/jfk.flac))
export HF_HUB_OFFLINE ?= 1

.PHONY: demo test setup setup-all system-core system-all bench clean

demo: setup ## set up from nothing and transcribe a sample with the default model (CPU, offline)
	@mkdir -p build
	@if [ -n "$(SAMPLE)" ]; then cp "$(SAMPLE)" build/sample.flac; \
	else espeak-ng -v en-us -s 140 -w build/sample.flac "The patient is stable. Please take a deep breath."; fi
	$(BIN)/medasr transcribe build/sample.flac --format txt

test: setup-all ## set up everything and run the test suite (what CI runs)
	$(BIN)/python -m pytest -q

setup: system-core $(VENV)/.core
setup-all: system-all $(VENV)/.all

system-core:
	@missing=$$(for p in $(APT_CORE); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends $$missing; fi

system-all:
	@missing=$$(for p in $(APT_ALL); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q --no-install-recommends $$missing; fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

# torch is pinned to the CPU build (==2.13.0) before anything can pull a CUDA build.
$(VENV)/.all: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0 $(if $(wildcard /opt/wheels/torch-*),--find-links /opt/wheels)
	$(BIN)/pip install -q -e '.[all,train]'
	@touch $(VENV)/.core $@

bench: setup-all ## the CPU speed benchmark of the bundled models
	$(BIN)/python benchmarks/asr_speed.py

clean:
	rm -rf build .pytest_cache
