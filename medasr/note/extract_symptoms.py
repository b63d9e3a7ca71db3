"""Symptoms as brief facts: present or denied, with duration, site and character.

A symptom is present when the patient says it (not negated), or answers yes to the
clinician's question about it; denied when negated or answered no. A question that was not
answered either way records nothing. A symptom said positively anywhere wins over a denial
elsewhere ("no fever now, but I had a temperature at the start"), citing only the positive
words. Short answers to the clinician's follow-up questions ("Whereabouts?" "Left side.")
add their attributes to the symptom being discussed, with their own evidence.
"""

from __future__ import annotations

import re

from medasr.note.contacts import PEOPLE, asks_contacts, someone_else_in
from medasr.note.dialogue import CLINICIAN, PATIENT, Remark, answer_polarity, answer_to, evidence, negated_at, turn_answer, yes_naming
from medasr.note.facts import Fact
from medasr.note.lexicon import GENERIC, clean_map, symptom_patterns
from medasr.note.phrase import attributes, bare_duration, duration, lasting, onset, radiation, severity_score, site, symptom_phrase
from medasr.note.proxy import proxy_patient, without_patient
from medasr.note.symptom_record import Symptom as _Symptom, assign as _assign, fold_bare as _fold_bare, hurting as _hurting, painlike as _painlike
from medasr.schema import Transcript

_FOLLOW_UP = re.compile(r"\b(where|whereabouts|which side|what side|describe|what (?:kind|sort|type)|come and go|all the time|"
                        r"how long|when did|how many|how often|how bad|scale|out of (?:10|ten)|sharp|dull|constant|worse|better|"
                        r"one (?:particular )?side|in the middle|sudden\w*|gradual\w*)\b", re.I)
# "When does it come on?", "What brings it on?", "Does anything relieve it?": the answer says what
# makes it worse or better, nothing else ("Has anything triggered this?" "I split up with my partner three months ago.")
_TRIGGER_Q = re.compile(r"\bwhen does\b|\bbrings? (?:it |this |them )?on\b|\btrigger\w*|\brelie\w*|\beases?\b|\bmakes? (?:it|them|this) (?:worse|better)\b", re.I)
_CHARACTER_Q = re.compile(r"\b(?:sharp|dull|throbbing|crampy|burning|stabbing|aching)\?", re.I)  # "Is it sharp? Is it dull? ..."
_SCALE_Q = re.compile(r"\bscale of (?:one|1|zero|0) to (?:ten|10)\b|\bout of (?:ten|10)\b", re.I)
# "Where have you been?" after "Have you been abroad?": about the trip, not the symptom
_ELSEWHERE_Q = re.compile(r"\bwhere (?:have you been|did you go|were you|do you (?:live|work))\b|\babroad\b|\btravel\w*|\bholidays?\b|\btrip\b", re.I)
_WHEN_Q = re.compile(r"\bwhen did (?:\w+ ){0,3}(?:start|begin|come on)\b|\bhow long (?:have|has)\b", re.I)
_ALL_OF_IT = re.compile(r"\b(?:symptoms|it all|this all|all this|all of this|all of it)\b", re.I)
_RADIATION_Q = re.compile(r"\b(move|spread|radiat\w*|go anywhere|travel)\b", re.I)
_FAMILY = re.compile(rf"\b(?:{PEOPLE}|anyone else|anybody else|someone else)\b", re.I)
_THEY = re.compile(r"\b(?:they|he|she|them|him)\b", re.I)
_PAST = re.compile(r"\b(similar|before|previous\w*|in the past|last time|used to|prone to|years ago)\b", re.I)
# "I'm allergic to penicillin, I get a rash": the reaction, not a symptom now
_ALLERGY_SAID = re.compile(r"\ballerg(?:ic|y) to\b", re.I)
_CONDITION_BEFORE = re.compile(r"\b(?:when|whenever|if) (?:i |you )(?:\w+ ){0,2}?(?:(?:or|and) )?$", re.I)
# how the reaction to an allergy is said ("... I get a rash", "It gives me hives"); drugs_said reads it after the allergy
REACTION_SAID = r"(?:and |but |yeah,? )?(?:it |that |they )?(?:gives? me|gave me|makes? me|made me|i (?:get|got|come out in|came out in|break out in|broke out in|had))\b"
_REACTION = re.compile(rf"^{REACTION_SAID}", re.I)
_OTHER = re.compile(r"\bother\b|\belse\b|\bapart from\b|\bbesides\b", re.I)
# the clinician saying back what the patient has told them ("you've got some sensitivity to light")
_RECAP = re.compile(r"\byou(?:'ve| have)? (?:got|had|been having|been getting|mentioned|said|told me|described)\b|\byou(?:'re| are) (?:having|getting)\b", re.I)
_IT = re.compile(r"^(?:and |but |so )?(?:it|it's|it is|the pain|this)\b", re.I)  # a sentence about the symptom just said
_HYPOTHETICAL = re.compile(r"\b(if|in case|should you|whether|worried (?:about|that)|look out for|watch out for)\b", re.I)


def symptom_mentions(text: str) -> list[tuple[str, int, int]]:
    """Non-overlapping symptom mentions (name, start, end in ``text``), most specific first,
    found in the text without its fillers ("pain in my, like, lower stomach")."""
    clean, idx = clean_map(text)
    found: list[tuple[str, int, int]] = []
    for name, rx in symptom_patterns():
        for m in rx.finditer(clean):
            if any(m.start() < e and s < m.end() for _, s, e in found):
                continue
            found.append((name, m.start(), m.end()))
    return sorted(((n, idx[a], idx[b - 1] + 1) for n, a, b in found), key=lambda t: t[1])


def _other_asked(before: str) -> bool:
    """"any other tummy problems, bowel problems?": asked beside what was already said (not
    "any other things, like blood in your stools?", which names an example)."""
    m = None
    for m in _OTHER.finditer(before):
        pass
    return m is not None and not re.search(r"\blike\b|\bsuch as\b|\bfor example\b", before[m.end() :], re.I)


def _timing(text: str, *, last: bool = False) -> dict[str, str]:
    """When it began ("started 5 days ago"), else how long ("3 days"), as attributes; {} when
    neither is said. ``last``: the last onset said ("six days ago, no, five days ago")."""
    when = onset(text, last=last)
    if when.startswith("started"):
        return {"onset": when}
    how_long = duration(text)
    if how_long:
        return {"duration": how_long}
    return {"onset": when} if when else {}  # "Just today really": since today


# how long the symptom has lasted (not "How long have you been on that for?", about a drug)
_LASTING_Q = re.compile(r"\bhow long do(?:es)? (?:it|they|the \w+|these|each \w+|an? \w+) (?:usually |normally )?last\b", re.I)
_HAD_Q = re.compile(r"\bhow long (?:have|has) (?:you had|it been|this been|the \w+ been|they been|you been (?:having|getting|feeling|suffering|noticing))\b"
                    r"|\bwhen did (?:it|this|the \w+|they|these|your \w+) (?:start|begin|come on)\b", re.I)


def _bare(text: str) -> dict[str, str]:
    d = bare_duration(text)
    return {"duration": d} if d else {}


def _complaint_timing(present: list[_Symptom], utts: list[Remark], tr: Transcript) -> None:
    """The complaint's onset said beside it in the patient's turn ("I noticed this about a week
    ago, or something? I have a weird swelling on my elbow.")."""
    if not present:
        return
    sym = min(present, key=lambda x: x.first)
    vague = sym.attrs.get("duration", "").startswith("the ")  # "for the past week" beside "about seven days ago"
    if sym.first >= len(utts) or any(k in sym.attrs for k in ("onset", "duration")) and not vague:
        return
    turn = utts[sym.first].turn if utts[sym.first].role == PATIENT else utts[sym.first].turn + 1
    for u in utts[max(0, sym.first - 3) : sym.first + 6]:
        if u.turn != turn or u.role != PATIENT:
            continue
        got = _timing(u.text)
        if got and not (vague and got.get("duration", "").startswith("the ")):
            if vague:
                del sym.attrs["duration"]  # the amount said is the more exact
            _assign([sym], got, evidence(tr, u))
            return


def _with_previous_question(utts: list[Remark], i: int) -> str:
    """The question with the one before it in the same turn ("When did it all start? You say a
    few days ago?")."""
    u = utts[i]
    if i and utts[i - 1].turn == u.turn and utts[i - 1].is_question:
        return f"{utts[i - 1].text} {u.text}"
    return u.text


def _asked_together(utts: list[Remark], i: int) -> tuple[str, str]:
    """The questions of the clinician's turn that end with question ``i`` ("Is it sharp? Is it
    dull? Is it throbbing?"), and the sentence that leads into them ("If I was to ask you on a
    scale of one to ten, ten being the worst pain you ever had." before "How would you rate it?")."""
    u, k = utts[i], i
    while k and utts[k - 1].turn == u.turn and utts[k - 1].is_question and i - k < 4:
        k -= 1
    lead = utts[k - 1].text if k and utts[k - 1].turn == u.turn else ""
    return " ".join(x.text for x in utts[k : i + 1]), lead


_RECAP_AFTER = re.compile(r"^[^.?!;]{0,12}?,?\s*(?:as )?you (?:mentioned|said|told me)\b", re.I)


def _recapped(text: str, start: int, end: int | None = None) -> bool:
    """Does a recap cue ("you've got", "you mentioned") open the mention's clause, or follow it
    ("a bit of a runny nose, you mentioned")?"""
    clause = re.split(r"[,;.]|\b(?:and|but|or)\b", text[:start])[-1]
    return bool(_RECAP.search(clause[-40:])) or end is not None and bool(_RECAP_AFTER.match(text[end:]))


def _about_others(text: str, start: int, proxy: re.Pattern[str] | None = None) -> bool:
    """"my wife was vomiting", "anyone else unwell", "my wife and kids are poorly, they've got
    diarrhoea": someone else's symptom, not the patient's (not "my wife and I have got diarrhoea").
    ``proxy``: the words that name the patient in a parent's account ("my son has had a cough")."""
    text = without_patient(text, proxy)
    clause = re.split(r"[,;.]|\bbut\b", text[:start])[-1]
    named = someone_else_in(clause, _FAMILY)
    if named is not None:
        return named
    return bool(_THEY.search(clause)) and bool(_FAMILY.search(text[:start]))


def _local_attrs(text: str, start: int, end: int) -> dict[str, str]:
    """Attributes said in the mention's own clause."""
    a = max(text.rfind(",", 0, start), text.rfind(".", 0, start)) + 1
    b = len(text)
    for sep in (". ", "? ", "; "):
        i = text.find(sep, end)
        if i >= 0:
            b = min(b, i)
    clause = text[a:b]
    before = text[max(text.rfind(".", 0, a - 1), text.rfind("?", 0, a - 1)) + 1 : a] if a > 0 and text[a - 1] == "," else ""
    got = attributes(clause)
    if re.match(r"\s*(?:when|whenever|if|every time)\b", before, re.I):  # "When I turn over in bed or look up, the room starts spinning"
        got.update({k: v for k, v in attributes(before).items() if k in ("trigger", "relief") and k not in got})
    return got


def symptom_facts(utts: list[Remark], tr: Transcript, mode: str) -> list[Fact]:
    proxy = proxy_patient(utts)
    found: dict[str, _Symptom] = {}
    recent: list[_Symptom] = []  # present symptoms, most recently discussed first
    answered: set[int] = set()

    def get(name: str) -> _Symptom | None:
        """The symptom record; a bare "pain" is the pain being discussed, if there is one."""
        if name == GENERIC:
            return next((r for r in recent if _painlike(r.name)), None)
        return found.setdefault(name, _Symptom(name))

    def touch(sym: _Symptom, i: int) -> None:
        sym.first = min(sym.first, i)
        if sym in recent:
            recent.remove(sym)
        recent.insert(0, sym)

    for i, u in enumerate(utts):
        text = u.text
        if u.role == CLINICIAN and u.is_question:
            ans = answer_to(utts, i)
            pol = answer_polarity(ans)
            asked = [] if asks_contacts(text) else symptom_mentions(text)  # "anyone around you with diarrhoea?": not the patient's
            # "Any fever or shortness of breath?" "I had a high fever": the answer says which
            said = [(n, not negated_at(a.text, s0)) for a in ans for n, s0, _ in symptom_mentions(a.text)]
            named = {n for n, _ in said} & {n for n, _, _ in asked}
            # "Does it lock or get stuck?" "Sometimes it clicks but it doesn't lock.": the answer denies it by name
            denied_by_name = {n for n, pos in said if not pos} - {n for n, pos in said if pos}
            later = [] if ans else turn_answer(utts, i)  # a question followed by another in its turn
            for name, s, e in asked:
                sym = get(name)
                if sym is None or _about_others(text, s, proxy) or pol and named and name not in named:
                    continue
                if name in denied_by_name:  # "Any cough or runny nose?" "No cough, no."
                    if not sym.present:
                        sym.absent.extend([evidence(tr, u, s, e), evidence(tr, ans[0])])
                    continue
                if later and yes_naming(later, text[s:e]):
                    # "Any blood in your urine? Any darkening of it?" "There was a little bit of
                    # blood earlier today": a yes that names the earlier question's symptom is its
                    # answer too (only a yes: a later "no" may be about the later question only)
                    sym.present.extend([evidence(tr, u, s, e), evidence(tr, later[0])])
                    answered.add(later[0].unit.index)
                    touch(sym, i)
                    continue
                if pol is False and name == GENERIC and sym.present and not _hurting(found) \
                        and len(asked) == 1 and not _FOLLOW_UP.search(text):
                    sym.attrs.setdefault("painless", "not painful")  # "Is it painful at all?" "No."
                    sym.attr_ev.extend([evidence(tr, u, s, e), evidence(tr, ans[0])])
                if pol is None or (pol is False and sym.present):
                    # unanswered, or a "no" about a symptom already present: it answers an
                    # attribute ("Does the pain move anywhere?" "No.")
                    if sym.present:
                        touch(sym, i)
                    continue
                if not pol:
                    sym.other = (sym.other or not sym.absent) and _other_asked(text[max(0, s - 40) : s])
                (sym.present if pol else sym.absent).extend([evidence(tr, u, s, e), evidence(tr, ans[0])])
                answered.add(ans[0].unit.index)
                if pol:
                    touch(sym, i)
                    if len(asked) == 1 and not re.search(r"\bor\b", text, re.I):
                        # "So you think the headache is getting worse over the last three days?" "Yeah."
                        _assign([sym], attributes(text), evidence(tr, u))
                    for a in ans[:2] if len(asked) == 1 else ():
                        if len(a.text.split()) <= 25:
                            # "Any pain in your tummy?" "Yeah. I feel a cramp.": how it is, said in the answer
                            _assign([sym], attributes(a.text), evidence(tr, a))
            if not recent or not ans:
                continue
            reply = " ".join(a.text for a in ans)
            together, lead = _asked_together(utts, i)
            scale = bool(_SCALE_Q.search(f"{lead} {together}"))
            if _RADIATION_Q.search(text) and pol is False:
                _assign(recent, {"radiation": "no radiation"}, evidence(tr, ans[0]))
            elif _RADIATION_Q.search(text) and (goes := next(((a, r) for a in ans[:2] if (r := radiation(a.text))), None)):
                _assign(recent, {"radiation": goes[1]}, evidence(tr, goes[0]))  # "Does it spread?" "It goes down my right leg."
            elif _WHEN_Q.search(when_q := _with_previous_question(utts, i)):
                # "When did your symptoms all start?": when, and for the complaint when the question
                # is about all of it (the first discussed; the first named of those said together)
                whole = _ALL_OF_IT.search(when_q)
                target = sorted(recent, key=lambda r: (r.first, -recent.index(r)))[:1] if whole else recent
                said = [(a, got) for a in ans if not a.is_question and (got := _timing(a.text, last=True) or (_bare(a.text) if _HAD_Q.search(when_q) else {}))]  # not "what day is it today?"
                if said:  # the last said ("... so what's that, about five days ago?")
                    _assign(target, said[-1][1], evidence(tr, said[-1][0]))
                if len(reply.split()) <= 25:  # "Two days ago, and it's getting worse"
                    _assign(target, {a: v for a, v in attributes(reply).items() if a not in ("onset", "duration")}, evidence(tr, ans[0]))
            elif _TRIGGER_Q.search(text) and not _FOLLOW_UP.search(text):
                heard = next((a for a in ans[:2] if len(a.text.split()) <= 30), None)
                got = {k: v for k, v in attributes(heard.text).items() if k in ("trigger", "relief")} if heard else {}
                if got and heard is not None:
                    _assign(recent, got, evidence(tr, heard))
            elif (_FOLLOW_UP.search(text) or scale or _CHARACTER_Q.search(together)) and not _ELSEWHERE_Q.search(together) and (
                    len(reply.split()) <= 25 or len(ans[0].text.split()) <= 25):
                heard = reply if len(reply.split()) <= 25 else ans[0].text  # a long answer: its first sentence
                got = attributes(heard)
                if scale and "score" not in got and (score := severity_score(heard, asked=True)):
                    got["score"] = score
                if _LASTING_Q.search(text) and "lasting" not in got and (length := lasting(heard, asked=True)):
                    got["lasting"] = length
                where = site(heard)
                if where:
                    got["site"] = where
                _assign(recent, got, evidence(tr, ans[0]))
            continue
        if u.role == CLINICIAN and mode == "conversation" and not _HYPOTHETICAL.search(text):
            for name, s, e in symptom_mentions(text):
                sym = get(name)
                if sym is not None and _recapped(text, s, e) and not negated_at(text, s) and not _about_others(text, s, proxy):
                    sym.present.append(evidence(tr, u, s, e))
                    touch(sym, i)
            continue
        reporter = u.role == PATIENT or mode == "dictation"
        if not reporter or (u.is_question and mode == "dictation") or _HYPOTHETICAL.search(text):
            continue
        mentions = symptom_mentions(text)
        if not mentions and recent and i and utts[i - 1].turn == u.turn and _IT.match(text) and not negated_at(text, len(text)):
            # "I've had this chest pain for a week. It gets worse when I walk up the stairs."
            got = {k: v for k, v in attributes(text).items() if k in ("trigger", "relief", "radiation", "course", "pattern", "character", "speed")}
            if _painlike(recent[0].name) and (where := site(text)):
                got["site"] = where  # "It's moved to the lower right side"
            _assign(recent[:1], got, evidence(tr, u))
        reaction = bool(i and utts[i - 1].turn == u.turn and _ALLERGY_SAID.search(utts[i - 1].text) and _REACTION.match(text))
        for name, s, e in mentions:
            if reaction or _ALLERGY_SAID.search(text[:s]):
                continue  # an allergy's reaction ("allergic to penicillin, I get a rash"): the allergy says it
            if _CONDITION_BEFORE.search(text[max(0, s - 16) : s]):
                continue  # "it hurts when I cough": what brings another symptom on, not a report of it
            sym = get(name)
            if sym is None and name == GENERIC and negated_at(text, s):
                # "It's not painful at all" about a complaint that is no pain: "No pain"
                sym = found.setdefault(GENERIC, _Symptom(GENERIC))
            if sym is None or _about_others(text, s, proxy):
                continue
            if negated_at(text, s):
                if name == GENERIC and sym.present and not _hurting(found):
                    # "a swelling on my elbow ... It's not painful at all"
                    sym.attrs.setdefault("painless", "not painful")
                    sym.attr_ev.append(evidence(tr, u))
                    continue
                if u.unit.index not in answered:
                    sym.absent.append(evidence(tr, u))
                    sym.other = False
                continue
            ev = evidence(tr, u)
            if ev not in sym.present:
                sym.present.append(ev)
            touch(sym, i)
            if _PAST.search(text):
                continue  # "a similar headache a few weeks ago": not this episode's attributes
            got = _local_attrs(text, s, e)
            where = site(text[max(0, s - 20) : e + 25])
            if where:
                got["site"] = where
            _assign([sym], got, ev)
    _complaint_timing([x for x in found.values() if x.present], utts, tr)
    _fold_bare(found)
    facts = []
    for sym in sorted(found.values(), key=lambda x: x.first):
        if sym.present:
            ev = tuple(dict.fromkeys(sym.present[:3] + sym.attr_ev))
            facts.append(Fact("hpi", symptom_phrase(sym.name, sym.attrs), ev, key=f"symptom:{sym.name}", attrs={"symptom": sym.name, **sym.attrs}))
    painful = any(x.present and _painlike(x.name) for x in found.values())
    for sym in found.values():
        if not sym.present and sym.absent and not (sym.name == GENERIC and painful):
            phrase = symptom_phrase(sym.name, {}, negated=True)
            if sym.other:
                phrase = phrase.replace("No ", "No other ", 1)
            facts.append(Fact("ros", phrase, tuple(dict.fromkeys(sym.absent[:2])),
                              key=f"symptom:{sym.name}", negated=True, attrs={"symptom": sym.name}))
    return facts
