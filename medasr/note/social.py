"""The patient's social history in a note's words: work ("Works as a nurse", "Desk job"), home
("Lives with sister and mum"), smoking and alcohol with their amounts, exercise, pets, and the
answers to the gynaecological questions."""

from __future__ import annotations

import re

from medasr.note.dialogue import negated_at
from medasr.note.facts import Fact
from medasr.note.lexicon import clean_map
from medasr.note.phrase import amount, capitalize

_JOB = re.compile(r"\b(?:i'?m|i am) (?:a |an )?(student|retired|unemployed)\b|\b(?:i work as|work as|working as)\s+(?:an?\s+)?([a-z]+(?: (?:engineer|teacher|nurse|worker|assistant|manager|driver))?)\b|\bi work (in|at|for) (?:an? |the )?((?!(?:an?|the|i|my)\b)[a-z]+(?: (?!(?:in|at|for|on|with|and|but|so|as|of)\b)[a-z]+)?(?: industry)?)\b", re.I)
# in answer to "What do you do for work?": "I'm an accountant"
_JOB_ANSWER = re.compile(r"\b(?:i'?m|i am)\s+(?:an?\s+)(?!(?:bit|little|wee|lot|few)\b)([a-z]+(?: (?:engineer|teacher|nurse|worker|assistant|manager|driver))?)\b", re.I)
# ... or a job of one or two words that ends the answer: "I am a, uh, computer scientist."
_JOB_ENDING = re.compile(r"\b(?:i'?m|i am|i work as|work as)\s+(?:an?\s+)(?!(?:bit|little|wee|lot|few)\b)([a-z]+(?: [a-z]+)?)\s*(?:[.,!]|$)", re.I)
_ARTICLE_COMMA = re.compile(r"\b(an?),\s*", re.I)
LIVE = re.compile(r"\bliv(?:e|es|ing) (on my own|alone|by myself|with (?:my |your )?[a-z]+(?: (?:and|&) (?:my |your )?(?:\w+ )?[a-z]+)?)|\b(?:it'?s )?just me and (?:the |my )?([a-z]+)", re.I)
_SOCIAL_Q = re.compile(r"\b((?:a couple of|a few|\w+) (?:pints?|units?|cigarettes?|glass(?:es)? of wine|bottles? of wine|cans?|drinks)(?: (?:in |a |per )(?:a )?(?:day|week)| (?:at|on) (?:the )?weekends?| (?:a few|a couple of|\w+) (?:nights|days|times) a week)?|socially|weekends?|occasionally|every now and again|now and then|a few|(?:\w+) (?:a|per) (?:day|week))\b", re.I)
# "I used to smoke but I stopped five years ago", "No, I gave up smoking a couple of years ago"
_EX_SMOKER = re.compile(r"\bused to smoke\b|\bex-? ?smoker\b|\bformer smoker\b|\b(?:stopped|quit|gave up|given up)(?: smoking)?\b", re.I)
_STOPPED_AGO = re.compile(r"\b(?:stopped|quit|gave up|given up)\b(?: smoking)?[^.;!?]{0,12}?\b((?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twenty|a couple of|a few)(?:\s*(?:or|to|-)\s*(?:\d+|two|three|four|five|six|seven|eight|nine|ten))? (?:weeks?|months?|years?)) ago\b", re.I)


def ex_smoker(reply: str) -> str:
    """"Ex-smoker, stopped 5 years ago" when the reply says the patient gave up, else ""."""
    if not _EX_SMOKER.search(reply):
        return ""
    m = _STOPPED_AGO.search(reply)
    return f"Ex-smoker, stopped {amount(m.group(1))} ago" if m else "Ex-smoker"


def social_positive(topic: str, reply: str) -> str:
    said = [m.group(1).lower() for m in _SOCIAL_Q.finditer(reply)]
    amounts = [h for h in said if re.search(r"\b(?:week|day)\b", h)]  # "nine pints in a week" over "four pints"
    how = amounts[-1] if amounts else said[0] if said else ""
    how = f"at {how}" if re.fullmatch(r"weekends?", how) else how  # "I drink on the weekends"
    how = f", {how}" if how and re.search(r"\d|pints?|units?|cigarettes?|a (?:day|week)", how) else f" {how}" if how else ""
    if topic == "smoking":
        return ex_smoker(reply) or f"Smokes{how}"
    return f"Drinks alcohol{how}"


# the habits a question may ask about together, as the answer says them
HABITS: dict[str, re.Pattern[str]] = {
    "smoking": re.compile(r"\bsmok\w*|\bcigarettes?\b|\bvap(?:e|ing)\b", re.I),
    "alcohol": re.compile(r"\bdrink\w*|\balcohol\b|\bpints?\b|\bunits\b|\bbeers?\b|\bwine\b|\blager\b|\bspirits\b", re.I),
}
_HABIT_CLAUSE = re.compile(r"[,;.!?]|\bbut\b|\band (?=i\b)", re.I)
_NOT_MUCH = re.compile(r"\b(?:much|a lot|that much|more than|heavily|loads)\b", re.I)


def habits_answered(asked: tuple[str, ...], answer: list[str], *, no: bool) -> dict[str, tuple[str, list[int]]]:
    """Smoking and alcohol asked together ("Do you drink or smoke at all?"), each read from its own
    clauses of the answer ("I don't smoke, uh, I do drink, like on the weekends"): topic ->
    (the statement, "" for a denial; the answer sentences that say it). A bare "No." denies
    both; "I don't drink much" is not a denial."""
    parts: dict[str, list[tuple[int, str]]] = {h: [] for h in asked}
    owners: list[str] = []
    for k, sentence in enumerate(answer):
        for clause in (clean_map(c)[0] for c in _HABIT_CLAUSE.split(sentence) if c.strip(" .,")):
            owners = [h for h in asked if HABITS[h].search(clause)] or owners  # "..., like on the weekends": the last habit said
            for h in owners:
                parts[h].append((k, clause))
    if not any(parts.values()):
        return {h: ("", [0]) for h in asked} if no else {}
    out: dict[str, tuple[str, list[int]]] = {}
    for h, got in parts.items():
        text = ",".join(c for _, c in got)
        m = HABITS[h].search(text)
        if m is None:
            continue
        lines = sorted({k for k, _ in got})
        if h == "smoking" and (gave_up := ex_smoker(text)):
            out[h] = (gave_up, lines)
        elif not negated_at(text, m.start()):
            out[h] = (social_positive(h, text), lines)
        elif not _NOT_MUCH.search(text[m.start() :]):
            out[h] = ("", lines)
    return out


WORK = re.compile(r"\bwork\w*|\bjob\b|\bproject\b|\bboss\b|\bcolleagues?\b", re.I)
ANSWERED = ("pets", "exercise", "sexual", "lmp", "intake", "vaccinations", "nappies")
_ANIMAL = re.compile(r"\b(cats?|dogs?|rabbits?|birds?|hamsters?|guinea pigs?|horses?|parrots?)\b", re.I)
HOW_OFTEN = re.compile(r"\b(regularly|every day|daily|(?:once|twice|a few times|a couple of times|\w+ times) a week|most days|at the weekends?)\b", re.I)
_PARTNER = re.compile(r"\b(?:regular|one|same|long[- ]term) partner\b|\bmy (?:partner|boyfriend|girlfriend|husband|wife)\b", re.I)
_PERIOD_AGO = re.compile(r"\b((?:\d+|a|an|one|two|three|four|five|six|a couple of|a few)(?:\s*(?:or|to|-)\s*(?:\d+|two|three|four|five|six))? (?:days?|weeks?|months?)) ago\b", re.I)


def answered(topic: str, reply: str) -> str:
    """The patient's answer to a social or gynaecological question, briefly ("Has a cat")."""
    if topic == "pets":
        m = _ANIMAL.search(reply)
        return f"Has a {m.group(1).lower().rstrip('s')}" if m else "Has pets"
    if topic == "exercise":
        m = HOW_OFTEN.search(reply)
        return f"Exercises {m.group(1).lower()}" if m else "Exercises"
    if topic == "sexual":
        return "Sexually active with a regular partner" if _PARTNER.search(reply) else "Sexually active"
    if topic == "lmp":
        said = list(_PERIOD_AGO.finditer(reply))  # "three weeks ago. I mean, two weeks ago."
        return f"Last menstrual period {amount(said[-1].group(1))} ago" if said else ""
    if topic == "intake":
        return "Eating and drinking normally"
    if topic == "vaccinations":  # a child's, asked of the parent
        return "Vaccinations up to date"
    if topic == "nappies":
        return "Wet nappies as normal"
    return ""


def fullest_social(facts: list[Fact]) -> list[Fact]:
    """"What about alcohol?" "I like a wee drink." ... "How many a week?" "Nine pints.": one
    statement, the one that says how much, with the evidence of both."""
    out: list[Fact] = []
    for f in facts:
        prev = next((k for k, o in enumerate(out) if f.key in ("smoking:yes", "alcohol:yes") and o.key == f.key), None)
        if prev is None:
            out.append(f)
            continue
        o = out[prev]
        best = f if len(f.text) > len(o.text) else o
        out[prev] = Fact(best.category, best.text, tuple(dict.fromkeys(o.evidence + f.evidence)), key=o.key)
    return out


def _works_as(job: str) -> str:
    job = job.lower()
    return f"Works as {'an' if job[0] in 'aeiou' else 'a'} {job}"


_DESK = re.compile(r"\b(?:sit|sat|sitting) (?:at|behind) (?:a|my) desk\b|\bdesk[- ](?:based )?job\b|\boffice job\b", re.I)
# "I run regularly, like two, three times a week", "I go to the gym most days"
_EXERCISING = re.compile(r"\b(?:i|we) (?:\w+ )?(?:go (?:running|jogging|swimming|cycling|to the gym)|run|jog|swim|cycle|"
                         r"play (?:football|tennis|squash|rugby|netball|badminton|golf)|do (?:some |a lot of )?(?:sports?|exercise))\b", re.I)


def exercising(text: str) -> str:
    """"I run regularly, like two, three times a week" -> "Exercises regularly"; "" unless it says how often."""
    m = _EXERCISING.search(text)
    if m is None or negated_at(text, m.start()):
        return ""
    how = HOW_OFTEN.search(text, m.start())
    return f"Exercises {how.group(1).lower()}" if how else ""


def job_phrase(text: str, *, answer: bool = False) -> str:
    m = _JOB.search(clean_map(text)[0])
    desk = _DESK.search(text)
    if m is None and desk and (answer or WORK.search(text)) and not negated_at(text, desk.start()):
        return "Desk job"
    if m:
        if m.group(1):
            return capitalize(m.group(1).lower())
        if m.group(2):
            return _works_as(m.group(2))
        return f"Works {m.group(3).lower()} {m.group(4)}"
    if not answer:
        return ""
    plain = _ARTICLE_COMMA.sub(r"\1 ", clean_map(text)[0])
    m = _JOB_ENDING.search(plain) or _JOB_ANSWER.search(plain)
    return _works_as(m.group(1)) if m else ""


_NOT_COMPANY = {"me", "you", "him", "her", "them", "us", "it", "that", "this"}


def living(text: str) -> str:
    """"I live with my, um, sister and my mum" -> "Lives with sister and mum"; "He doesn't
    live with me" -> ""."""
    plain = clean_map(text)[0]
    for m in LIVE.finditer(plain):
        if negated_at(plain, m.start()):
            continue
        words = re.findall(r"[a-z]+", (m.group(1) or m.group(2) or "").lower())
        if words and words[-1] in _NOT_COMPANY:
            continue
        return live_phrase(m)
    return ""


def live_phrase(m: re.Match[str]) -> str:
    if m.group(2):
        return f"Lives with {m.group(2).lower()}"
    g = m.group(1).lower()
    return "Lives alone" if g in ("on my own", "alone", "by myself") else f"Lives {g.replace('my ', '').replace('your ', '')}"
