"""The correction modes, their aliases and what they expand to: defined here once.

A *mode* is what a user asks for (``--correct``, ``MEDASR_CORRECT``, the server's ``correct=``
field, the websocket config, the Gradio dropdown): ``none``, ``lexicon``, ``bart`` or ``both``
(lexicon, then bart). A *spec* names stages joined by ``+``, as ``medasr bench --pipeline``
takes them: ``asr``, ``asr+lexicon``, ``asr+both`` (= ``asr+lexicon+bart``). A stage is a
corrector registered by name in :mod:`medasr.correction.base`, so a new corrector is usable
in a spec by its name.
"""

from __future__ import annotations

from medasr.errors import ConfigError

MODES = ("none", "lexicon", "bart", "both")
# loose spellings of "yes, correct" and "no correction" (form fields, JSON booleans, env vars)
ALIASES = {"true": "lexicon", "1": "lexicon", "yes": "lexicon", "false": "none", "0": "none", "no": "none", "": "none"}
EXPANSION: dict[str, tuple[str, ...]] = {"none": (), "lexicon": ("lexicon",), "bart": ("bart",), "both": ("lexicon", "bart")}


def parse_mode(value: object) -> str:
    """A mode from a loose value: ``True`` -> lexicon, ``False``/``None``/"" -> none, "Both" -> both.

    Raises ``ConfigError`` naming the choices for anything else."""
    if value is None or value is False:
        return "none"
    if value is True:
        return "lexicon"
    if isinstance(value, str):
        v = value.strip().lower()
        v = ALIASES.get(v, v)
        if v in MODES:
            return v
    raise ConfigError(f"correct must be true, false or one of {', '.join(MODES)}, not {value!r}")


def stages(spec: str) -> tuple[str, ...]:
    """``asr+both`` -> ("lexicon", "bart"); a mode alone (``lexicon``, ``none``) works too."""
    parts = [p.strip() for p in str(spec).split("+") if p.strip()]
    if not parts:
        raise ConfigError("empty pipeline spec")
    if parts[0] == "asr":
        parts = parts[1:]
    out: list[str] = []
    for p in parts:
        for s in EXPANSION.get(p, (p,)):
            if s in out:
                raise ConfigError(f"pipeline {spec!r} names stage {s!r} twice")
            out.append(s)
    return tuple(out)


def spec_of(stage_names: tuple[str, ...]) -> str:
    """The canonical spec of a stage list: ("lexicon", "bart") -> ``asr+lexicon+bart``."""
    return "+".join(("asr", *stage_names))
