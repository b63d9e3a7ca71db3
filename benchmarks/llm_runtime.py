"""Local LLM runtimes for the note: llama.cpp in-process (xllamacpp) against CTranslate2 int8.

Same model weights (the bundled Qwen2.5-Coder GGUFs; CTranslate2 gets them dequantized by
transformers and converted with ct2-transformers-converter, cached beside the GGUF), same
chat prompt (one PriMock57 consultation, numbered lines), greedy. For each runtime and
thread count: prompt tokens/s (prefill) and generation tokens/s. Writes JSON, Markdown and
a PNG. The machine's load (``os.getloadavg``) is recorded before and after each run.

    python benchmarks/llm_runtime.py --model 1.5b --model 0.5b --threads 1 --threads 2 --out benchmarks/results/llm-runtime
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

GEN_TOKENS = 96


def prompt_messages(limit_lines: int) -> list[dict[str, str]]:
    from medasr.note.compact import compact_lines
    from medasr.bench.primock import consultation_names, load_consultation

    c = load_consultation(consultation_names()[0])
    lines = compact_lines(c.transcript, "conversation")[:limit_lines]
    return [
        {"role": "system", "content": "You are a clinical scribe. Write the note as JSON."},
        {"role": "user", "content": "Transcript:\n" + "\n".join(lines) + "\nWrite each fact as a short statement with its line numbers."},
    ]


def run_llamacpp(gguf: Path, threads: int, messages: list[dict[str, str]], schema: bool) -> dict:
    import xllamacpp as xlc

    p = xlc.CommonParams()
    p.model.path = str(gguf)
    p.n_ctx = 4096
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.warmup = False
    t0 = time.perf_counter()
    server = xlc.Server(p)
    load = time.perf_counter() - t0
    req: dict = {"messages": messages, "max_tokens": GEN_TOKENS, "temperature": 0}
    if schema:
        req["response_format"] = {"type": "json_schema", "json_schema": {"name": "n", "schema": {
            "type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
                "t": {"type": "string"}, "e": {"type": "array", "items": {"type": "integer"}}}, "required": ["t", "e"]}}},
            "required": ["items"]}}}
    r = server.handle_chat_completions(req)
    t = r["timings"]
    del server
    return {"load_s": round(load, 1), "prompt_tokens": t["prompt_n"], "prompt_tok_s": round(t["prompt_per_second"], 1),
            "gen_tokens": t["predicted_n"], "gen_tok_s": round(t["predicted_per_second"], 2)}


def ensure_ct2(gguf: Path) -> Path:
    out = gguf.parent / "ct2-int8"
    if (out / "model.bin").is_file():
        return out
    hf = gguf.parent / "hf-f32"
    if not (hf / "config.json").is_file():
        from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

        tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        m = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, quantization_config=GgufConfig(dequantize=True))
        m.save_pretrained(hf)
        tok.save_pretrained(hf)
        del m
    exe = Path(sys.executable).with_name("ct2-transformers-converter")
    subprocess.run([str(exe), "--model", str(hf), "--output_dir", str(out), "--quantization", "int8", "--force",
                    "--copy_files", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja"], check=True)
    return out


def run_ct2(folder: Path, threads: int, messages: list[dict[str, str]]) -> dict:
    import ctranslate2
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(folder))
    ids = tok.apply_chat_template(messages, add_generation_prompt=True)
    ids = ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids
    tokens = tok.convert_ids_to_tokens(ids)
    t0 = time.perf_counter()
    gen = ctranslate2.Generator(str(folder), device="cpu", compute_type="int8", intra_threads=threads)
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    gen.generate_batch([tokens], max_length=1, include_prompt_in_result=False)
    prefill = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = gen.generate_batch([tokens], max_length=GEN_TOKENS, min_length=GEN_TOKENS, include_prompt_in_result=False)
    total = time.perf_counter() - t0
    n = len(res[0].sequences_ids[0])
    return {"load_s": round(load, 1), "prompt_tokens": len(tokens), "prompt_tok_s": round(len(tokens) / prefill, 1),
            "gen_tokens": n, "gen_tok_s": round(n / max(1e-6, total - prefill), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", action="append", default=None, help="0.5b or 1.5b (repeatable)")
    ap.add_argument("--threads", action="append", type=int, default=None)
    ap.add_argument("--runtime", action="append", choices=["xllamacpp", "xllamacpp-schema", "ct2"], default=None)
    ap.add_argument("--lines", type=int, default=70, help="transcript lines in the prompt")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/llm-runtime"))
    a = ap.parse_args()
    from medasr.config import Settings
    from medasr.store.llm import bundled, ensure_gguf

    settings = Settings.resolve()
    messages = prompt_messages(a.lines)
    rows = []
    for name in a.model or ["1.5b"]:
        spec = bundled(name)
        gguf = ensure_gguf(settings, spec)
        for rt in a.runtime or ["xllamacpp", "xllamacpp-schema", "ct2"]:
            for n in a.threads or [1, 2]:
                before = os.getloadavg()[0]
                if rt == "ct2":
                    r = run_ct2(ensure_ct2(gguf), n, messages)
                else:
                    r = run_llamacpp(gguf, n, messages, schema=rt.endswith("schema"))
                r.update(model=spec.name, runtime=rt, threads=n, load_before=round(before, 2), load_after=round(os.getloadavg()[0], 2))
                print(json.dumps(r), flush=True)
                rows.append(r)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "runtime.json").write_text(json.dumps(rows, indent=2) + "\n")
    md = ["| model | runtime | threads | prompt tokens | prompt tok/s | generated | gen tok/s | load s | 1-min load before/after |", "|---|---|---|---|---|---|---|---|---|"]
    md += [f"| {r['model']} | {r['runtime']} | {r['threads']} | {r['prompt_tokens']} | {r['prompt_tok_s']} | {r['gen_tokens']} | {r['gen_tok_s']} | {r['load_s']} | {r['load_before']}/{r['load_after']} |" for r in rows]
    (a.out / "runtime.md").write_text("\n".join(md) + "\n")
    plot(rows, a.out / "runtime.png")
    print("\n".join(md))


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    labels = [f"{r['model'].split('-')[2]} {r['runtime']} t{r['threads']}" for r in rows]
    for ax, key, title in ((axes[0], "prompt_tok_s", "prompt tokens/s"), (axes[1], "gen_tok_s", "generated tokens/s")):
        ax.barh(range(len(rows)), [r[key] for r in rows])
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels(labels, fontsize=7)
        ax.set_title(title, fontsize=9)
    fig.suptitle("Local LLM runtimes on this machine's CPU (shared: see the load column)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
