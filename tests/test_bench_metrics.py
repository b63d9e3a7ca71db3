"""medasr.bench scoring: parity with the medwer package, intervals, edits, alignment, sets."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from medasr.bench import align, datasets, metrics, primock
from medasr.errors import InputError
from medasr.schema import Edit
from medasr.text import normalize

medwer = pytest.importorskip("medwer")

CLINICAL = [
    "The patient has type 2 diabetes mellitus and takes metformin 500 mg twice daily.",
    "Chest pain radiating to the left arm with a history of myocardial infarction.",
    "Started amoxicillin for acute otitis media, review in one week.",
    "She has asthma and uses a salbutamol inhaler, also on beclomethasone.",
    "Blood pressure is raised, we will start amlodipine five milligrams once a day.",
    "No haematuria, mild dysuria, urine dip positive for nitrites, likely urinary tract infection.",
    "History of atrial fibrillation on warfarin, INR was 2.5 last week.",
    "Complains of headache and photophobia, no neck stiffness, no rash.",
    "Continue omeprazole for gastro-oesophageal reflux disease and avoid ibuprofen.",
    "Hello, how are you today?",
    "",
    "Mm-hmm.",
]


def _perturb(text: str, rng: random.Random, vocab: list[str]) -> str:
    out = []
    for w in text.split():
        r = rng.random()
        if r < 0.12:
            continue  # deletion
        if r < 0.3:
            out.append(rng.choice(vocab))  # substitution (sometimes by a medical word)
        else:
            out.append(w)
        if rng.random() < 0.08:
            out.append(rng.choice(vocab))  # insertion
    return " ".join(out)


@pytest.fixture(scope="module")
def medwer_set() -> metrics.TermSet:
    return metrics.TermSet.from_file("medwer", medwer.default_terms_path())


@pytest.fixture(scope="module")
def pairs() -> tuple[list[str], list[str]]:
    rng = random.Random(7)
    vocab = "metformin insulin the and pain asthma warfarin a mg diabetes infection of aspirin".split()
    refs, hyps = [], []
    for _ in range(6):
        for ref in CLINICAL:
            refs.append(ref)
            hyps.append(_perturb(ref, rng, vocab))
    # medwer's corner cases: a hypothesis with terms whose filtered reference is empty,
    # an empty reference with a non-empty hypothesis (skipped), an empty hypothesis
    refs += ["Hello, how are you today?", "", "Take paracetamol for the fever."]
    hyps += ["hello, how are you, any asthma or insulin?", "metformin", ""]
    return refs, hyps


def test_medical_term_wer_equals_medwer_package(medwer_set, pairs):
    refs, hyps = pairs
    ref = medwer.Scorer().corpus(refs, hyps)
    assert ref["medical_wer"] is not None and ref["med_ref_words"] > 50
    ours = metrics.medical_wer(refs, hyps, medwer_set)
    assert ours == pytest.approx(ref["medical_wer"], abs=1e-6)
    # the corpus score agrees on WER, term count and utterances scored too
    cs = metrics.corpus_score([metrics.score_utterance(str(i), r, h, [medwer_set]) for i, (r, h) in enumerate(zip(refs, hyps))], n_boot=50)
    assert cs.wer.value == pytest.approx(ref["wer"], abs=1e-6)
    assert cs.utts == ref["utts"] and cs.ref_words == ref["ref_words"]
    assert cs.terms["medwer"].ref_terms == ref["med_ref_words"]
    assert cs.terms["medwer"].wer.value == pytest.approx(ref["medical_wer"], abs=1e-6)


def test_term_filter_matches_medwer_keep_medical(medwer_set, pairs):
    entries, max_tokens = medwer.load_terms(medwer.default_terms_path())
    norm = medwer.Normalizer()
    for text in pairs[0] + pairs[1]:
        n = norm(text)
        assert " ".join(medwer_set.keep(n)) == medwer.keep_medical(n, entries, max_tokens)


def test_wer_and_cer_match_jiwer_after_normalizing(pairs):
    jiwer = pytest.importorskip("jiwer")
    refs, hyps = pairs
    kept = [(normalize(r), normalize(h)) for r, h in zip(refs, hyps) if normalize(r)]
    kept = [(r, h if h else "<empty>") for r, h in kept]  # jiwer rejects empty hypotheses
    for r, h in kept[:20]:
        s = metrics.score_utterance("u", r, h)
        assert s.word_edits / s.ref_words == pytest.approx(jiwer.wer(r, h), abs=1e-9)
        assert s.char_edits / s.ref_chars == pytest.approx(jiwer.cer(r, h), abs=1e-9)


def test_normalizer_folds_numbers_and_case():
    assert normalize("Metformin, FIVE hundred mg!") == normalize("metformin 500 mg")
    s = metrics.score_utterance("u", "Take five hundred milligrams.", "take 500 milligrams")
    assert s.word_edits == 0


def test_bootstrap_interval_is_reproducible_and_brackets_the_value():
    rng = random.Random(1)
    num = [rng.randint(0, 5) for _ in range(80)]
    den = [rng.randint(5, 15) for _ in range(80)]
    a = metrics.bootstrap_ratio(num, den, n_boot=500, seed=3)
    b = metrics.bootstrap_ratio(num, den, n_boot=500, seed=3)
    assert a == b
    assert a.value == pytest.approx(sum(num) / sum(den))
    assert a.low < a.value < a.high
    assert a.high - a.low < 0.2
    assert metrics.bootstrap_ratio([1], [0]).value is None
    assert metrics.bootstrap_ratio([2], [4]) == metrics.Interval(0.5, 0.5, 0.5)


def test_drug_term_set_normalizes_raw_terms_and_counts_recall_precision():
    drugs = metrics.TermSet.from_terms("drug", ["Metformin", "Insulin Glargine", "Amoxicillin"])
    assert "insulin glargine" in drugs.entries and drugs.max_tokens == 2
    s = metrics.score_utterance("u", "Insulin glargine and metformin daily.", "insulin glargine and met forming daily, amoxicillin", [drugs])
    tc = s.terms["drug"]
    assert (tc.ref_terms, tc.hyp_terms, tc.matched) == (2, 2, 1)
    assert tc.edits == 1  # metformin -> amoxicillin: the phrase counts as one token
    cs = metrics.corpus_score([s], n_boot=10)
    assert cs.terms["drug"].recall == 0.5 and cs.terms["drug"].precision == 0.5


def test_edit_stats_judge_edits_against_the_reference():
    edits = [
        Edit(0, "met forming", "metformin", "lexicon", 0.9),  # right
        Edit(0, "daily", "Dilantin", "lexicon", 0.6),  # harmful: broke a correct word
        Edit(0, "asthma", "asthmatic", "lexicon", 0.5),  # neither: wrong
        Edit(0, "x", "metformin", "lexicon", 0.5, applied=False),  # a suggestion: not counted
    ]
    st = metrics.edit_stats([("Metformin 500 mg daily", edits)])
    assert (st.made, st.right, st.wrong, st.harmful) == (3, 1, 2, 1)
    assert st.false_edit_rate == pytest.approx(2 / 3)
    assert metrics.edit_stats([]).false_edit_rate is None


def test_alignment_marks_each_error_kind(medwer_set):
    ref = normalize("the patient takes metformin twice daily")
    hyp = normalize("patient takes met forming twice a daily")
    line = align.mark(ref, hyp, [medwer_set])
    assert "[-the]" in line and "[+a]" in line
    assert "[*metformin*->met]" in line or "[*metformin*->forming]" in line  # one substitution...
    assert "[+forming]" in line or "[+met]" in line  # ...and one insertion for the split word
    c = align.counts(ref, hyp)
    assert c["sub"] + c["del"] + c["ins"] == metrics.word_edits(ref, hyp)
    assert c["hit"] + c["sub"] + c["del"] == len(ref.split())


def test_manifest_errors_name_the_problem(tmp_path: Path):
    (tmp_path / "a.wav").write_bytes(b"RIFF")
    m = tmp_path / "m.jsonl"
    m.write_text('{"audio": "a.wav", "text": "hi"}\nnot json\n')
    with pytest.raises(InputError, match="line 2: not valid JSON"):
        datasets.load_manifest(m)
    m.write_text('{"audio": "missing.wav", "text": "hi"}\n')
    with pytest.raises(InputError, match="missing.wav not found"):
        datasets.load_manifest(m)
    m.write_text('{"audio": "a.wav"}\n')
    with pytest.raises(InputError, match="'audio' and 'text'"):
        datasets.load_manifest(m)
    with pytest.raises(InputError, match="file not found"):
        datasets.load_manifest(tmp_path / "nope.jsonl")


def test_subsample_keeps_every_group(tmp_path: Path):
    rows = [{"audio": "a.wav", "text": f"t{i}", "id": f"u{i}", "group": "big" if i > 1 else f"g{i}"} for i in range(30)]
    (tmp_path / "a.wav").write_bytes(b"RIFF")
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    s = datasets.load_manifest(tmp_path / "m.jsonl", limit=5)
    assert [u.id for u in s.utterances] == ["u0", "u1", "u2", "u9", "u16"]  # g0, g1, then "big" spread out
    assert len(datasets.load_manifest(tmp_path / "m.jsonl").utterances) == 30


def test_manifest_sets_take_a_label_and_duplicate_names_are_refused(tmp_path: Path, tmp_home):
    from medasr.bench.runner import BenchConfig, run_bench
    from medasr.config import Settings

    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "x.wav").write_bytes(b"RIFF")
        (tmp_path / d / "synth-test.jsonl").write_text("".join(json.dumps({"audio": "x.wav", "text": f"t{i}", "id": f"u{i}"}) + "\n" for i in range(3)))
    st = Settings.resolve()
    s = datasets.resolve_set(f"held={tmp_path / 'a' / 'synth-test.jsonl'}:2", st)
    assert s.name == "held" and len(s.utterances) == 2
    assert datasets.resolve_set(str(tmp_path / "b" / "synth-test.jsonl"), st).name == "synth-test"
    cfg = BenchConfig(sets=(str(tmp_path / "a" / "synth-test.jsonl"), str(tmp_path / "b" / "synth-test.jsonl")), models=("tiny.en",))
    with pytest.raises(InputError, match="both named 'synth-test'.*LABEL=PATH"):
        run_bench(cfg, st, termsets=[])


def test_librivox_manifest_from_debian_testdata(tmp_path: Path):
    if not (datasets.POCKETSPHINX_DIR / "transcription").is_file():
        pytest.skip("pocketsphinx-testdata is not installed")
    s = datasets.load_manifest(datasets.librivox_manifest(tmp_path), "librivox")
    assert len(s.utterances) == 5
    assert s.utterances[1].text == "he was not an ill disposed young man"


def test_real_speech_set_resolves(real_speech_dir, tmp_home):
    from medasr.config import Settings

    s = datasets.resolve_set("real-speech", Settings.resolve(), limit=12)
    ids = [u.id for u in s.utterances]
    assert len(ids) == 12 and "jfk" in ids and any(i.startswith("LJ") for i in ids)
    assert len(datasets.resolve_set("real-speech:4", Settings.resolve()).utterances) == 4
    with pytest.raises(InputError, match="build-primock"):
        datasets.resolve_set("primock", Settings.resolve())
    with pytest.raises(InputError, match="unknown benchmark set"):
        datasets.resolve_set("no-such-set", Settings.resolve())


def test_primock_turns_are_cleaned_and_cut(primock_dir, medwer_set):
    turns = primock.parse_textgrid(primock_dir / "transcripts" / "day1_consultation01_doctor.TextGrid")
    assert turns and all("<" not in t.text for t in turns)
    assert primock.clean("<UNSURE>Hello how</UNSURE> um. <UNIN/> Sorry") == "Hello how um. Sorry"
    long = " ".join(f"Sentence number {i} is here." for i in range(20))
    chunks = primock.split_turn(long)
    assert all(primock.MIN_WORDS <= len(c.split()) <= primock.MAX_WORDS for c in chunks)
    assert " ".join(chunks) == long
    drugs = metrics.TermSet.from_terms("drug", ["paracetamol", "ibuprofen", "amoxicillin", "omeprazole", "salbutamol"])
    cands = primock.candidates(primock_dir, [drugs, medwer_set])
    n_drug = sum(c.tier == 0 for c in cands)
    assert n_drug > 0
    chosen = primock.select(cands, n_drug + 20)
    assert len(chosen) == n_drug + 20
    assert sum(c.tier == 0 for c in chosen) == n_drug and all(c.tier <= 1 for c in chosen)
    assert len({c.consultation for c in chosen}) >= 10


def test_bench_modules_import_no_torch_and_load_no_model():
    import subprocess
    import sys

    code = ("import sys, medasr.bench.runner, medasr.bench.report, medasr.bench.peers, medasr.bench.plots, medasr.bench.primock, "
            "medasr.bench.terms, medasr.cli.bench; "
            "print(sorted(m for m in ('torch', 'transformers', 'ctranslate2', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_report_tables_and_plots_from_runs(tmp_path: Path, medwer_set):
    """The summary, Markdown tables and PNGs from per-utterance runs (no model needed)."""
    from medasr.bench import report, runner

    utts = [("u1", "The patient takes metformin daily.", "the patient takes met forming daily"),
            ("u2", "Asthma is well controlled.", "asthma is well controlled")]
    systems = (runner.System("tiny.en", "asr", "faster-whisper"), runner.System("tiny.en", "asr+lexicon", "faster-whisper"),
               runner.System("tiny.en", "peer", "transformers"))
    fixed = Edit(0, "met forming", "metformin", "lexicon", 0.9)
    runs = []
    for uid, ref, hyp in utts:
        group = "dictation" if uid == "u1" else "chat"
        runs.append(runner.UttRun("clinical", uid, "tiny.en asr", ref, hyp, 2.0, 0.5, 0.4, group=group))
        runs.append(runner.UttRun("clinical", uid, "tiny.en asr+lexicon", ref, hyp.replace("met forming", "metformin"), 2.0, 0.6, 0.4,
                                  (fixed,) if "met forming" in hyp else (), group))
        if uid == "u1":
            runs.append(runner.UttRun("clinical", uid, "tiny.en transformers", ref, hyp, 2.0, 2.5, None, group=group))

    class _Set:
        name = "clinical"

    results = runner._summarise([_Set()], systems, runs, [medwer_set], 100)
    by = {r.system.label: r for r in results}
    assert by["tiny.en asr"].score.wer.value == pytest.approx(2 / 9)
    assert by["tiny.en asr+lexicon"].score.wer.value == 0.0
    assert by["tiny.en asr+lexicon"].edits.right == 1 and by["tiny.en asr+lexicon"].edits.wrong == 0
    assert by["tiny.en asr"].score.terms["medwer"].wer.value == pytest.approx(1 / 2)
    peer = by["tiny.en transformers"]
    assert peer.n == 1 and peer.paired["utts"] == 1 and peer.paired["wall_s"] == pytest.approx(0.5)
    res = runner.BenchResult(runner.BenchConfig(("clinical",), ("tiny.en",), ("asr", "asr+lexicon"), peer=True, n_boot=100),
                             {"cpu": "test", "beam_size": 1}, systems, (runner.LoadInfo("tiny.en", "faster-whisper", 1.0, 80.0),),
                             tuple(results), tuple(runs), (runner.LongFormRun("tiny.en", "sequential", 0, 60.0, 6.0, 1.5),), {"medwer": len(medwer_set.entries)})
    paths = report.write_all(res, tmp_path, [medwer_set])
    md = (tmp_path / "results.md").read_text()
    assert "| clinical | tiny.en asr+lexicon | 2 |" in md and "1/1/0" in md
    assert "| clinical | tiny.en | 1 | 2 | 40.0 | 40.0 | 0.250 | 1.250 | 5.0 |" in md  # peer ratio on the same utterance
    assert "tiny.en asr (2 err): the patient takes" in (tmp_path / "utterances.md").read_text()
    # each group of a mixed set apart: u1 (dictation) holds both errors, u2 (chat) none
    assert "## By group" in md and "| clinical | dictation | tiny.en asr | 1 | 5 | 40.0 [40.0, 40.0] | 100.0 [100.0, 100.0] |" in md
    assert "| clinical | chat | tiny.en asr | 1 | 4 | 0.0 [0.0, 0.0] |" in md
    data = json.loads((tmp_path / "results.json").read_text())
    assert len(data["utterances"]) == 5 and data["results"][0]["score"]["wer"]["value"] == pytest.approx(2 / 9)
    assert {(g["group"], g["system"]) for g in data["groups"]} >= {("dictation", "tiny.en asr"), ("chat", "tiny.en asr+lexicon")}
    assert all(p.is_file() for p in paths) and (tmp_path / "wer.png").read_bytes()[:4] == b"\x89PNG"
