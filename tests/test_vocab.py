"""The built vocabulary (full build from the offline sources, once per test session), the matcher,
linking, biasing and the ``medasr vocab`` CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from medasr.config import Settings
from medasr.errors import ConfigError, InputError
from medasr.vocab import Vocabulary, load_vocabulary
from medasr.vocab.biasing import SPECIALTIES, bias_for


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    # MEDASR_HOME is the session home set by conftest: built once, shared by every test file.
    return load_vocabulary(Settings.resolve())


def test_counts_meet_the_bar(vocab: Vocabulary) -> None:
    s = vocab.stats()
    assert s.icd10_codes >= 70_000
    assert s.by_kind["drug"] >= 15_000
    assert s.by_kind["brand"] >= 1_000 and s.drugs_with_brands >= 1_000
    assert {"icd10cm", "drug-ner", "medwer", "curated"} <= set(s.by_source)
    assert s.sources["icd10cm"] == "1.5.0"
    con = sqlite3.connect(vocab.path)
    assert con.execute("SELECT COUNT(*) FROM entries WHERE spoken = ''").fetchone()[0] == 0  # every entry is speakable
    con.close()


def test_entries_and_codes(vocab: Vocabulary) -> None:
    e = vocab.icd10("E11.9")
    assert e is not None and e.written == "Type 2 diabetes mellitus without complications"
    assert vocab.icd10("e119") == e
    assert "icd10cm-parent:E11" in e.codes
    assert vocab.icd10("Q99.99.9") is None
    assert vocab.get(e.id) == e
    lipitor = [x for x in vocab.lookup("LIPITOR") if x.kind == "brand"]
    assert lipitor and "generic:Atorvastatin" in lipitor[0].codes
    bid = vocab.lookup("b.i.d.")[0]
    assert bid.kind == "frequency" and "twice daily" in bid.spoken
    units = list(vocab.entries("unit"))
    assert any(u.written == "mg" and "milligrams" in u.spoken for u in units)


@pytest.mark.parametrize(
    ("query", "expected", "top"),
    [("met for men", "Metformin", 1), ("at orva statin", "Atorvastatin", 1), ("lysine april", "Lisinopril", 3),
     ("sim vast a tin", "Simvastatin", 1), ("glue co fage", "Glucophage", 1), ("H B A one C", "HbA1c", 1)],
)
def test_match_finds_misheard_terms(vocab: Vocabulary, query: str, expected: str, top: int) -> None:
    found = vocab.match(query, k=5)
    assert expected in [c.entry.written for c in found[:top]], [(c.entry.written, c.score) for c in found]
    assert all(0.0 <= c.score <= 1.0 for c in found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)


def test_match_kinds_filter(vocab: Vocabulary) -> None:
    found = vocab.match("lip it or", k=5, kinds=["brand"])
    assert found and all(c.entry.kind == "brand" for c in found)
    assert found[0].entry.written == "Lipitor"
    assert vocab.match("", k=5) == []


def test_linking_is_strict(vocab: Vocabulary) -> None:
    dx = vocab.link_diagnosis("hypertension")
    assert dx is not None and dx.entry.icd10 == "I10"
    assert vocab.link_diagnosis("Type 2 diabetes mellitus without complications").entry.icd10 == "E11.9"  # type: ignore[union-attr]
    for text, code in [("chest pain", "R07.9"), ("shortness of breath", "R06.02"), ("type 2 diabetes", "E11.9")]:
        assert vocab.link_diagnosis(text).entry.icd10 == code  # type: ignore[union-attr]
    drug = vocab.link_drug("Lipitor")
    assert drug is not None and drug.score >= 0.9
    assert vocab.link_drug("metformine") is not None
    for text in ["the weather is nice today", "banana bread", "ask not what your country can do for you"]:
        assert vocab.link_diagnosis(text) is None
        assert vocab.link_drug(text) is None


def test_term_list(vocab: Vocabulary) -> None:
    drugs = vocab.term_list(["drug"])
    assert len(drugs) >= 15_000 and "Metformin" in drugs
    assert len(set(drugs)) == len(drugs)


def test_missing_and_corrupt_vocabulary(tmp_home: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="medasr vocab build"):
        load_vocabulary(Settings.resolve(), build_if_missing=False)
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ConfigError, match="not a medasr vocabulary"):
        load_vocabulary(Settings.resolve({"vocab": str(bad)}), build_if_missing=False)


def test_bias_for_contexts(vocab: Vocabulary, tmp_path: Path) -> None:
    terms = tmp_path / "terms.txt"
    terms.write_text("# patient med list\nLIPITOR\nmetformin\n\nsome unknown drug\n", encoding="utf-8")
    b = bias_for(None, terms_file=terms, specialty="cardiology", seen_terms=["warfarin"], vocabulary=vocab)
    assert b.terms[:4] == ("Lipitor", "metformin", "some unknown drug", "warfarin")
    assert b.hotwords is not None and b.hotwords.startswith("Lipitor, metformin")
    assert "atrial fibrillation" in b.terms and b.initial_prompt
    assert len(b.hotwords) <= 400
    assert bias_for(None) == bias_for(None, seen_terms=())
    assert bias_for(None).hotwords is None and bias_for(None).initial_prompt is None
    with pytest.raises(ConfigError, match="unknown specialty"):
        bias_for(None, specialty="astrology")
    with pytest.raises(InputError, match="does not exist"):
        bias_for(None, terms_file=tmp_path / "nope.txt")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        bias_for(None, terms_file=latin1)
    assert set(SPECIALTIES) >= {"cardiology", "primary-care"}


def test_cli_search_stats_export(vocab: Vocabulary, cli, tmp_path: Path) -> None:
    r = cli("vocab", "search", "met for men")
    assert r.returncode == 0, r.stderr
    first = r.stdout.decode().splitlines()[0]
    assert "Metformin" in first and first.startswith("1. 0.9")
    r = cli("vocab", "stats", "--json")
    assert r.returncode == 0
    stats = json.loads(r.stdout)
    assert stats["icd10_codes"] >= 70_000 and stats["by_kind"]["drug"] >= 15_000
    r = cli("vocab", "stats")
    assert "by kind:" in r.stdout.decode() and "icd10cm" in r.stdout.decode()
    out = tmp_path / "units.tsv"
    r = cli("vocab", "export", "--kind", "unit", "--format", "tsv", "-o", str(out))
    assert r.returncode == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id\twritten") and any("\tmg\tunit\t" in ln for ln in lines)
    r = cli("vocab", "search", "x", "--kind", "nonsense")
    assert r.returncode != 0 and b"medasr: error: unknown kind" in r.stderr and b"Traceback" not in r.stderr


def test_terms_seen_earlier_feed_the_bias(vocab: Vocabulary) -> None:
    from medasr.vocab.biasing import terms_in

    seen = terms_in("Patient on metformin and Lipitor, history of type 2 diabetes. Ask not what your country can do.", vocab)
    assert seen[:2] == ["metformin", "lipitor"] and "type 2 diabetes" in seen
    assert not any(w in seen for w in ("ask", "country", "patient"))
    b = bias_for(None, seen_terms=seen, vocabulary=vocab)
    assert b.terms[0] == "type 2 diabetes"  # most recent first
    assert "Lipitor" in b.terms and "metformin" in b.terms
