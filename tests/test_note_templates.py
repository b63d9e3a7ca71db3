"""Note templates are data: the built-in SOAP and history-and-physical layouts, user TOML
templates, and the errors a bad template gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from medasr.errors import ConfigError
from medasr.note.facts import Fact, to_note
from medasr.note.templates import BUILTIN, CATEGORIES, layout, load_template, parse_template
from medasr.schema import Evidence


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_templates_place_every_category_once(name: str) -> None:
    t = load_template(name)
    placed = [c for s in t.sections for c in s.categories]
    assert sorted(placed) == sorted(CATEGORIES)
    assert "patient_instructions" in t.keys()


def test_history_physical_layout_is_healthscribe_like() -> None:
    t = load_template("history_physical")
    assert t.keys()[:3] == ("chief_complaint", "history_of_present_illness", "review_of_systems")
    assert t.section_for("family", "conversation") == "past_family_history"
    assert t.section_for("social", "conversation") == "past_social_history"
    assert t.section_for("investigation", "dictation") == "diagnostic_testing"
    soap = load_template("soap")
    assert soap.section_for("family", "conversation") == soap.section_for("social", "conversation") == "social_family_history"
    assert soap.section_for("ros", "dictation") is None  # SOAP asks no review of systems of a dictation


def test_facts_are_placed_by_the_template() -> None:
    ev = (Evidence(0, 0, 4, "text"),)
    facts = [Fact("family", "Mother: migraine", ev), Fact("hpi", "Headache for 3 days", ev), Fact("social", "Non-smoker", ev)]
    hp = to_note(facts, load_template("history_physical"), "conversation")
    assert list(hp.sections) == ["history_of_present_illness", "past_family_history", "past_social_history"]
    assert hp.template == "history_physical" and hp.section("past_family_history")[0].category == "family"
    soap = to_note(facts, load_template("soap"), "conversation")
    assert [i.text for i in soap.section("social_family_history")] == ["Mother: migraine", "Non-smoker"]
    # a section of two categories lists them in its order (family, then social), whatever order they were said in
    said = [Fact("social", "Non-smoker", ev), Fact("family", "Mother: migraine", ev), Fact("social", "Lives alone", ev)]
    mixed = to_note(said, load_template("soap"), "conversation")
    assert [i.text for i in mixed.section("social_family_history")] == ["Mother: migraine", "Non-smoker", "Lives alone"]
    titles = dict(layout("history_physical", list(hp.sections)))
    assert titles["past_family_history"] == "Past family history"


def test_a_user_template_from_a_file(tmp_path: Path) -> None:
    rows = "\n".join(f'[[sections]]\nkey = "{c}_part"\ntitle = "{c.upper()}"\ncategories = ["{c}"]\n' for c in CATEGORIES)
    p = tmp_path / "mine.toml"
    p.write_text('name = "mine"\n' + rows)
    t = load_template(str(p))
    assert t.name == "mine" and t.title_of("hpi_part") == "HPI"


@pytest.mark.parametrize(
    "text, match",
    [
        ("name = 'x'\n[[sections]\n", "not valid TOML"),
        ("name = 'x'\n", "no \\[\\[sections\\]\\]"),
        ("[[sections]]\nkey = 'a'\ncategories = ['vibes']\n", "unknown category 'vibes'"),
        ("[[sections]]\nkey = 'a'\ncategories = ['hpi']\n[[sections]]\nkey = 'b'\ncategories = ['hpi']\n", "in both 'a' and 'b'"),
        ("[[sections]]\nkey = 'a'\ncategories = ['hpi']\n", "does not place the categories complaint"),
        ("[[sections]]\nkey = 'a'\ncategories = ['hpi']\ncolour = 'red'\n", "unknown keys"),
    ],
)
def test_bad_templates_get_clear_errors(text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_template(text, "bad.toml")


def test_unknown_template_name() -> None:
    with pytest.raises(ConfigError, match="unknown note template 'fancy'"):
        load_template("fancy")
