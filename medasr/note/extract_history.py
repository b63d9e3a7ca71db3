"""Past history, medications, allergies, family and social history as brief facts.

Two ways a fact is said: the clinician asks about a topic ("Do you smoke?") and the patient
answers ("No." -> "Non-smoker"), or the patient says it ("I'm allergic to penicillin").
A drug the clinician only asked about is never a medication: it needs the patient's yes or
the patient's own words. A relative's illness is family history, never the patient's.
"""

from __future__ import annotations

import re
from dataclasses import replace

from medasr.note.dialogue import CLINICIAN, PATIENT, Remark, answer_polarity, answer_to, evidence, negated_at, strip_lead
from medasr.note.drugs_said import CLASS_CODES, FOR_IT_Q as _FOR_IT_Q, drugs_named as _drugs, reaction as _reaction, relief as _relief, takes_phrase as _takes, tried_at as _tried_at
from medasr.note.extract_symptoms import symptom_mentions
from medasr.note.facts import Fact
from medasr.note.ice import CONCERN_CUE
from medasr.note.lexicon import clean_map
from medasr.note.linking import Linker
from medasr.note.phrase import capitalize, onset
from medasr.note.social import ANSWERED, HABITS, HOW_OFTEN, LIVE, WORK, answered, ex_smoker, habits_answered, exercising, fullest_social, job_phrase, live_phrase, living, social_positive
from medasr.schema import Evidence, Transcript

TOPICS: dict[str, re.Pattern[str]] = {
    "intake": re.compile(r"\beating,? (?:and )?drinking\b|\bdrinking (?:ok|okay|enough|plenty|fluids|normally)\b|\beating (?:ok|okay|normally|well)\b|\bkeeping (?:fluids|food|anything) down\b", re.I),
    "smoking": re.compile(r"\bsmok\w*|\bcigarettes?\b|\bvap(?:e|ing)\b", re.I),
    "alcohol": re.compile(r"\balcohol\b|\b(?:smoke|smoking) (?:or|and) drink\b|\bdrink (?:much|alcohol)|\bdo you drink\b(?! (?:enough|plenty|water|fluids|lots))|\bdrinking\b|\bhow (?:much|many)\b[^.?!]{0,30}\bdrink\b|\bunits\b|\bpints\b|\bbeer\b|\bwine\b|\blager\b|\bspirits\b", re.I),
    "drugs": re.compile(r"\brecreational\b|\billicit\b|\bstreet drugs?\b|\bcannabis\b|\bweed\b|\bcocaine\b", re.I),
    "allergy": re.compile(r"\ballerg\w*", re.I),
    "medication": re.compile(r"\b(?:which|what) (?:pill|contracepti\w*|inhalers?)\b|\b(?:taking|using) (?:your|the) (?!time\b)\w+|\bmedications?\b|\bmedicines?\b|\btablets?\b|\bregular(?:ly)? (?:take|basis)|\btake anything\b|\bon any\b", re.I),
    "pmh": re.compile(r"\bmedical (?:history|problems?|conditions?|illness\w*)|\bfit and well\b|\bother (?:medical )?(?:problems|conditions|illness\w*)|\bhealth problems\b|\boperations?\b|\bsurgery\b", re.I),
    "family": re.compile(r"\bfamily\b|\brun in\b", re.I),
    "occupation": re.compile(r"\bwork(?:ing)?\b|\bjob\b|\bdo for a living\b|\bstudent\b", re.I),
    "travel": re.compile(r"\babroad\b|\btravel\w*|\bbeen away\b|\bout of the country\b", re.I),
    "pets": re.compile(r"\bpets?\b|\bany animals\b", re.I),
    "vaccinations": re.compile(r"\bup to date with (?:\w+ )?(?:vaccinations|immuni[sz]ations|jabs)\b|\b(?:vaccinations|immuni[sz]ations|jabs) (?:are )?up to date\b", re.I),
    "nappies": re.compile(r"\bwet nappies\b|\bnappies (?:as )?(?:normal|wet)\b", re.I),
    "exercise": re.compile(r"\bexercis\w*|\bphysically active\b|\bsports?\b|\bthe gym\b", re.I),
    "sexual": re.compile(r"\bsexually active\b|\bsexual partners?\b", re.I),
    "lmp": re.compile(r"\blast (?:menstrual )?period\b|\blmp\b", re.I),
    "pregnancy": re.compile(r"\b(?:be|are|might be|could be) pregnant\b|\bchance (?:of|that) (?:you'?re |you are )?(?:being )?pregnan\w*", re.I),
    "living": re.compile(r"\bat home\b|\blive with\b|\blives? with\b|\bliving with\b|\bwho(?:'s| is) at home\b|\blive alone\b|\bhome situation\b", re.I),
}
NEGATIVE = {
    "smoking": ("social", "Non-smoker"),
    "alcohol": ("social", "No alcohol"),
    "allergy": ("allergy", "No known drug allergies"),
    "medication": ("medication", "No regular medications"),
    "pmh": ("pmh", "No significant past medical history"),
    "family": ("family", "No relevant family history"),
    "travel": ("social", "No recent foreign travel"),
    "pets": ("social", "No pets"),
    "drugs": ("social", "No recreational drug use"),
    "exercise": ("social", "No regular exercise"),
    "sexual": ("social", "Not sexually active"),
    "pregnancy": ("social", "Does not think she could be pregnant"),
    "intake": ("hpi", "Not eating and drinking normally"),
}
RELATIVES = re.compile(r"\b(mum|mom|mother|dad|father|brother|sister|grandmother|grandfather|grandma|grandad|granddad|nan|aunt|uncle|cousin|son|daughter)\b", re.I)
_REL_NAME = {"mum": "mother", "mom": "mother", "dad": "father", "grandma": "grandmother", "nan": "grandmother", "grandad": "grandfather", "granddad": "grandfather"}
_ALLERGIC = re.compile(r"\ballergic to (?:the |a |an )?([a-z][a-z\- ]{2,30}?)(?=[,.;!?]| and | but |$)|\b([a-z]+) allergy\b", re.I)
_ACTIVE_CUE = re.compile(r"\b(i take|i'?m on|i am on|i'?m taking|i am taking|i use|i have|i just have|i'?ve been taking|i'?ve been on|been on|i'?ve got|taking|using|on the|other than)\b", re.I)
# an earlier episode of this complaint, said unprompted ("I had a similar headache two weeks ago")
_BEFORE = re.compile(r"\b(?:had|got|get|getting) (?:this|it|these|something like this|(?:a |the )?(?:similar|same) (?:\w+ ){0,2}?\w+) (?:\w+ ){0,3}?(?:before|in the past)\b|"
                     r"\bhappened (?:\w+ ){0,3}?before\b|\b(?:a |the )?similar (?:\w+ ){0,2}?\w+ (?:\w+ ){0,3}?ago\b", re.I)
_SURGERY = re.compile(r"\boperations?\b|\bsurgery\b|\bsurgical\b|\boperated on\b", re.I)
_PMH_WORDS = re.compile(r"\bmedical\b|\bconditions?\b|\bproblems?\b|\billness\w*|\bfit and well\b|\bhistory\b", re.I)
_NO_SURGERY = re.compile(r"\b(?:haven'?t|have not|never) (?:ever )?had (?:any )?(?:operations?|surgery)\b", re.I)
_STUTTER = re.compile(r"\b(\w+)(?:,? \1\b)+", re.I)
_FAMILY_Q = re.compile(r"\bfamily\b|\brun in\b|\brelatives?\b", re.I)
# what an allergy question asked about decides what its "No" rules out: asked about food or pets,
# it says nothing about drugs ("I'm allergic to penicillin" ... "any food allergies?" "No.")
_ALLERGY_KIND = (
    (re.compile(r"\bfoods?\b|\bnuts?\b|\bpeanuts?\b|\beggs?\b|\bshellfish\b|\bseafood\b|\bdairy\b|\bgluten\b", re.I), "No known food allergies", "food"),
    (re.compile(r"\bcats?\b|\bdogs?\b|\bpets?\b|\banimals?\b", re.I), "No known animal allergies", "animal"),
    (re.compile(r"\bpollen\b|\bhay ?fever\b|\bdust\b|\blatex\b|\bplasters?\b|\bgrass\b", re.I), "No known environmental allergies", "environment"),
)
_DRUG_WORDS = re.compile(r"\bmedic\w*|\bdrugs?\b|\bantibiotics?\b|\btablets?\b|\bpenicillin\b", re.I)
_FLUIDS = re.compile(r"\bdrinking (?:plenty|lots|ok|okay|fine|well|normally|enough|fluids|water)\b|\b(?:plenty of|lots of) (?:fluids|water|drinks)\b", re.I)
MED_ANSWER_TURNS = 6  # turns after a medication question that may still be naming drugs
# "Have you taken anything for it?": a drug in the answer was tried for this complaint
_INHALER = re.compile(r"\b(?:use|using|have|take|on)\s+(?:an?|my|the|some)\s+(?:\w+\s+)?inhalers?\b", re.I)
_OTHER = re.compile(r"\b(?:any|anything|anyone) (?:\w+ )?else\b|\bany other\b|\bapart from\b|\bbesides\b|\bas well as\b", re.I)


def _diagnoses(linker: Linker, text: str) -> list[tuple[str, str, int]]:
    return [(m.surface, m.code, m.start) for m in linker.find("diagnosis", text) if not m.code.startswith("R")]


def _topic(text: str) -> str | None:
    for name, rx in TOPICS.items():
        if rx.search(text):
            return name
    return None


def history_facts(utts: list[Remark], tr: Transcript, linker: Linker, mode: str) -> list[Fact]:
    facts: list[Fact] = []
    family_reply: dict[int, str] = {}  # id of a remark answering a family-history question -> the whole answer
    med_until, med_q = -1, None  # after "Which medications do you take?", the next remarks may name them
    tried_until = -1  # after "Have you taken anything for it?", the patient's next turn
    for i, u in enumerate(utts):
        text = u.text
        if u.role == CLINICIAN and u.is_question:
            topic = _topic(text)
            if i and len(text.split()) <= 2 and utts[i - 1].turn == u.turn and utts[i - 1].is_question:
                topic = _topic(utts[i - 1].text) or topic  # "Any allergies at all? Medication?"
            if _FOR_IT_Q.search(text):
                tried_until = u.turn + 1
            if topic == "medication":
                med_until, med_q = u.turn + MED_ANSWER_TURNS, u
            elif topic is not None:
                med_until = -1
            ans = answer_to(utts, i)
            pol = answer_polarity(ans)
            if pol is not None and _HELP_Q.search(text):
                facts = _tried_relief(facts, u, ans, pol, tr)
            if pol is False:
                facts += _denied(u, ans, tr, linker)
            elif pol is True and DENIED[0][0].search(text):  # "Has this happened before?" "Yes, two weeks ago."
                facts.append(_previous(" ".join(a.text for a in ans[:2]), (evidence(tr, u), *[evidence(tr, a) for a in ans[:2]])))
            if topic is None or not ans:
                continue
            asked = _habits_asked(utts, i)
            if len(asked) > 1:  # "Do you drink or smoke at all?": each habit from its own words
                facts += _habits(asked, ans, pol, tr)
                continue
            reply = " ".join(a.text for a in ans)
            if topic == "family" and pol is not False:
                family_reply.update({id(a): reply for a in ans})
            evs = (evidence(tr, u), *[evidence(tr, a) for a in ans[:3]])
            if topic == "smoking" and (gave_up := ex_smoker(reply)):  # "No, I gave up five years ago."
                facts.append(Fact("social", gave_up, evs[:3], key="smoking:yes"))
            elif pol is False and topic in NEGATIVE and not _drugs(linker, reply):
                cat, phrase = NEGATIVE[topic]
                key = f"{topic}:none"
                if topic == "allergy" and not _DRUG_WORDS.search(text) and not _drugs(linker, text):
                    kind = next(((ph, k) for rx, ph, k in _ALLERGY_KIND if rx.search(text)), None)
                    if kind is not None:
                        phrase, key = kind[0], f"allergy:none-{kind[1]}"
                if topic in ("family", "medication", "pmh") and _OTHER.search(text):
                    # "Apart from migraines ... any other family history?" "No.": the earlier answers stand
                    phrase, key = phrase.replace("No ", "No other ", 1), f"{topic}:none-other"
                if topic == "pmh" and _SURGERY.search(text):  # "Any medical problems or operations?" "No."
                    facts.append(Fact("pmh", "No previous surgery", evs, key="surgery:none", negated=True))
                    if not _PMH_WORDS.search(_SURGERY.sub(" ", text)):
                        continue  # asked only about operations
                facts.append(Fact(cat, phrase, evs, key=key, negated=True))
            elif topic == "travel" and pol is True:  # "Have you been abroad recently?" "Yes, I have."
                facts.append(Fact("social", "Recent foreign travel", evs, key="travel:yes"))
            elif topic == "alcohol" and _FLUIDS.search(reply) and not HABITS["alcohol"].search(_FLUIDS.sub(" ", reply).replace("drinking", "")) \
                    and not re.search(r"\balcohol|units|pints|beer|wine|spirits", text, re.I):
                facts.append(Fact("hpi", "Drinking fluids", evs, key="intake:yes"))  # "Is she drinking?" "She's drinking plenty."
            elif topic in ("smoking", "alcohol") and pol is not False:
                facts.append(Fact("social", social_positive(topic, reply), (evidence(tr, u), *[evidence(tr, a) for a in ans[:2]]), key=f"{topic}:yes"))
            elif topic in ANSWERED and (pol is True or topic == "lmp" or topic == "exercise" and pol is None and HOW_OFTEN.search(reply)):
                said = answered(topic, reply)
                if said:  # an answer in other words ("I go running three times a week") is cited alone
                    facts.append(Fact({"intake": "hpi", "nappies": "hpi", "vaccinations": "pmh"}.get(topic, "social"), said, evs[1:] if topic == "exercise" and not pol else evs, key=f"{topic}:yes"))
            elif topic == "living" and pol is True and len(ans[0].text.split()) <= 4:
                m = LIVE.search(text)
                if m:
                    facts.append(Fact("social", live_phrase(m), evs, key="living"))
            elif topic == "occupation" and job_phrase(reply, answer=True):
                facts.append(Fact("social", job_phrase(reply, answer=True), evs, key="occupation"))
            elif topic == "medication" and pol is True:
                named = _drugs(linker, text)
                dose_in_reply = len(named) == 1 and not _drugs(linker, reply)  # the answer names no other drug
                for name, code, _ in named:  # "Do you take ibuprofen?" "Yes."; "... your amlodipine?" "Yes, 10 mg every morning."
                    said = _takes(name, reply) if dose_in_reply else f"Takes {name}"
                    facts.append(Fact("medication", said, evs, key=f"med:{code}", attrs={"drug": name, "status": "active"}))
            continue
        reply = family_reply.get(id(u))
        if reply is not None:
            # "Any illnesses in your family?" "The main one would be heart attack. My father
            # passed away of that.": the relative's illness, never the patient's history
            facts += family_from(u, tr, linker, reply, asked=True)
        else:
            facts += family_from(u, tr, linker, utts[i - 1].text if i and utts[i - 1].turn == u.turn else "")
        if u.role == CLINICIAN and u.turn <= med_until:
            facts += _med_recap(u, med_q, tr, linker)
        if u.role != PATIENT and mode != "dictation":
            continue
        stated = _stated(u, tr, linker, asked_meds=u.turn <= med_until, for_it=u.turn <= tried_until)
        facts += [f for f in stated if f.category != "pmh"] if reply is not None else stated
    facts = fullest_social(facts)
    if any(f.key == "previous:yes" for f in facts):  # an episode said anywhere wins over a no
        facts = [f for f in facts if f.key != "denied:previous"]
    tried = {f.key[6:] for f in facts if f.key.startswith("tried:")}
    # "I tried ibuprofen ... usually after I take ibuprofen it goes away": tried for this, not a regular medicine
    facts = [f for f in facts if not (f.key.startswith("med:") and f.key[4:] in tried)]
    said = {f.key for f in facts if not f.negated}
    facts = [f for f in facts if not (f.key.startswith("pmh-none:") and f"pmh:{f.key[9:]}" in said)]  # said anywhere wins
    if any(f.category == "allergy" and not f.negated and (_drugs(linker, f.text) or _DRUG_WORDS.search(f.text)) for f in facts):
        # the patient named a drug allergy: a "No" to another allergy question cannot become NKDA
        facts = [f for f in facts if f.key != "allergy:none"]
    return facts


def _habits_asked(utts: list[Remark], i: int) -> dict[str, Remark]:
    """Smoking and alcohol, each with the question that asks it, asked by question ``i`` and the
    questions just before it in its turn ("Do you smoke at all? And do you drink much?")."""
    asked: dict[str, Remark] = {}
    j = i
    while j >= 0 and j > i - 3 and utts[j].turn == utts[i].turn and utts[j].is_question:
        if not TOPICS["intake"].search(utts[j].text):
            asked.update({h: utts[j] for h in HABITS if h not in asked and TOPICS[h].search(utts[j].text)})
        j -= 1
    return asked


def _habits(asked: dict[str, Remark], ans: list[Remark], pol: bool | None, tr: Transcript) -> list[Fact]:
    out = []
    for h, (said, lines) in habits_answered(tuple(asked), [a.text for a in ans], no=pol is False).items():
        evs = (evidence(tr, asked[h]), *[evidence(tr, ans[k]) for k in lines[:2]])
        out.append(Fact("social", said or NEGATIVE[h][1], evs, key=f"{h}:{'yes' if said else 'none'}", negated=not said))
    return out


# (pattern, category, statement, key): a finding a pattern stands for
Cue = tuple[re.Pattern[str], str, str, str]
# a "No" to these questions is a finding of its own
DENIED: tuple[Cue, ...] = (
    (re.compile(r"\bhappened before\b|\bhad (?:this|it|anything like this|something like this) before\b", re.I), "hpi", "No previous episodes", "denied:previous"),
    (re.compile(r"\b(?:any|an) (?:\w+ )?(?:of )?injur\w*|\binjured\b|\btrauma\b|\b(?:bang|knock|hit)(?:ed)? (?:it|that)\b", re.I), "hpi", "No trauma", "denied:trauma"),
    (re.compile(r"\blong[- ]haul\b", re.I), "social", "No recent long-haul flights", "denied:flights"),
)
_PMH_Q = re.compile(r"\b(?:history of|diagnosed|suffer\w* (?:from|with)|told you|ever had|had (?:\w+ )?(?:before|in the past)|have you had|do you (?:have|get)|any)\b", re.I)
_NOT_PMH_Q = re.compile(r"\b(?:think|worried|wonder\w*|they|he|she|them)\b", re.I)


def _previous(text: str, evs: tuple[Evidence, ...]) -> Fact:
    """"Previous episodes", with when the last was if said ("Previous episodes, 2 weeks ago";
    "Similar episode, 2 weeks ago" where the patient said it was similar)."""
    when = onset(text)
    when = f", {when.removeprefix('started ')}" if when.startswith("started ") else ""
    head = "Similar episode" if when and re.search(r"\b(?:similar|same)\b", text, re.I) else "Previous episodes"
    return Fact("hpi", f"{head}{when}", evs, key="previous:yes")


def _denied(u: Remark, ans: list[Remark], tr: Transcript, linker: Linker) -> list[Fact]:
    """A "No" to a question that names its own finding: "Has this happened before?" -> "No
    previous episodes"; "Do you suffer from eczema?" -> "No history of eczema"."""
    text = u.text
    evs = (evidence(tr, u), evidence(tr, ans[0]))
    out = [Fact(cat, phrase, evs, key=key, negated=True) for rx, cat, phrase, key in DENIED
           if rx.search(text) and not (key == "denied:trauma" and re.search(r"\bhead\b", text, re.I))]
    if _PMH_Q.search(text) and not _NOT_PMH_Q.search(text) and not RELATIVES.search(text) and not _FAMILY_Q.search(text):
        said = [(a, b) for _, a, b in symptom_mentions(text)]
        for name, code, at in _diagnoses(linker, text):
            if code[:1] in "OZ" or "allerg" in name.lower() or any(a <= at < b for a, b in said):
                continue  # "Any diarrhoea or constipation?": a symptom asked about now, not a history
            out.append(Fact("pmh", f"No history of {name.lower()}", evs, key=f"pmh-none:{code}", negated=True))
    return out


# what the patient says about how it affects them
IMPACT: tuple[Cue, ...] = (
    (re.compile(r"\bcan'?t (?:really )?(?:do my job|work|go (?:in)?to work)\b|\bunable to work\b", re.I), "hpi", "Affecting work", "impact:work"),
    (re.compile(r"\b(?:woke|wakes|waking|keeps|kept|keeping) me (?:up|awake)\b|\bcan'?t (?:get to )?sleep\b", re.I), "hpi", "Disturbing sleep", "impact:sleep"),
    (re.compile(r"\bstress(?:ful|ed)\b", re.I), "social", "Feeling stressed", "stress"),
)
def _relatives(text: str) -> str:
    """"my sister and my mum" -> "sister and mother"."""
    names = [_REL_NAME.get(m.group(1).lower(), m.group(1).lower()) for m in RELATIVES.finditer(text)]
    return " and ".join(dict.fromkeys(names))


def family_from(u: Remark, tr: Transcript, linker: Linker, context: str = "", *, asked: bool = False) -> list[Fact]:
    """"My mum and sister have migraines" (or the clinician's recap of it) -> "Mother and sister: migraines".
    ``asked``: ``u`` answers a family-history question (``context`` the whole answer), so an
    illness it names is a relative's even when no relative is named ("Family history of ...")."""
    text = u.text
    if not asked and not RELATIVES.search(context + " " + text):
        return []
    out = []
    for name, code, at in _diagnoses(linker, text):
        if negated_at(text, at) or "allerg" in name.lower():
            continue
        who = _relatives(text[:at + 40]) or _relatives(context)
        if who or asked:
            phrase = f"{who}: {name.lower()}" if who else f"Family history of {name.lower()}"
            out.append(Fact("family", capitalize(phrase), (evidence(tr, u),), key=f"family:{code}"))
    return out


def _med_recap(u: Remark, question: Remark | None, tr: Transcript, linker: Linker) -> list[Fact]:
    """The clinician repeating the drug just named ("Metformin, OK."): short, not a question,
    the drug first; cited with the question it answers."""
    text = strip_lead(u.text)
    if u.is_question or len(text.split()) > 4:
        return []
    found = _drugs(linker, text)
    if not found or found[0][2] > 0:
        return []
    name, code, _ = found[0]
    evs = (evidence(tr, question), evidence(tr, u)) if question is not None else (evidence(tr, u),)
    return [Fact("medication", f"Takes {name}", evs, key=f"med:{code}", attrs={"drug": name, "status": "active"})]


_HELP_Q = re.compile(r"\b(?:did|does|has|have) (?:that|it|this|they|those|any of (?:that|them)) (?:\w+ )?(?:help\w*|work\w*)", re.I)


def _tried_relief(facts: list[Fact], u: Remark, ans: list[Remark], pol: bool, tr: Transcript) -> list[Fact]:
    """"I tried ibuprofen." "Did that help?" "It doesn't really help, no.": "Tried ibuprofen, no relief"
    (the last treatment tried, if what it did was not said yet)."""
    k = next((j for j in range(len(facts) - 1, max(-1, len(facts) - 4), -1) if facts[j].key.startswith("tried:")), None)
    if k is None or facts[k].text.endswith("relief"):
        return facts
    f = facts[k]
    ev = (*f.evidence, evidence(tr, u), evidence(tr, ans[0]))
    return [*facts[:k], replace(f, text=f"{f.text}, {'some' if pol else 'no'} relief", evidence=ev), *facts[k + 1 :]]


def _stated(u: Remark, tr: Transcript, linker: Linker, *, asked_meds: bool = False, for_it: bool = False) -> list[Fact]:
    """Facts the patient states in their own words; ``asked_meds``: the clinician has just
    asked which medications they take, so a drug they name is one ("So, it's, Metformin?");
    ``for_it``: asked what they have taken for the complaint, so a drug named was tried."""
    text = u.text
    ev = (evidence(tr, u),)
    out: list[Fact] = []
    relative = RELATIVES.search(text)
    plain = _STUTTER.sub(r"\1", clean_map(text)[0])  # "I'm, I'm allergic to, to peanuts"
    for m in _ALLERGIC.finditer(plain):
        if not negated_at(plain, m.start()):
            what = (m.group(1) or m.group(2)).strip().lower()
            out.append(Fact("allergy", f"Allergic to {what}{_reaction(plain[m.end():])}", ev, key=f"allergy:{what}"))
    allergy = bool(_ALLERGIC.search(plain))
    for m in linker.find("drug", text):  # a class tried ("I also tried an antihistamine")
        if m.code.startswith(CLASS_CODES) and (_tried_at(text, m.start) or for_it) and not negated_at(text, m.start) and not relative:
            out.append(Fact("hpi", f"Tried {m.surface.lower()}{_relief(text[m.start:])}", ev, key=f"tried:{m.code}"))
    named = _drugs(linker, text)
    for name, code, at in named:
        if allergy or negated_at(text, at) or re.search(r"\bif\b|\bwhat if\b", text[:at], re.I):
            continue
        if relative and relative.start() < at:
            continue
        if _tried_at(text, at) or for_it and not asked_meds:
            out.append(Fact("hpi", f"Tried {name}{_relief(text[at:])}", ev, key=f"tried:{code}", attrs={"drug": name}))
        elif asked_meds or _ACTIVE_CUE.search(text[max(0, at - 40) : at]) or re.search(r"\b(inhaler|pill|tablets?|cream)\b", text, re.I):
            nxt = next((a for _, _, a in named if a > at), len(text))  # "X 500 mg and Y": Y's words are not X's
            out.append(Fact("medication", _takes(name, text[at:nxt]), ev, key=f"med:{code}", attrs={"drug": name, "status": "active"}))
    m = _INHALER.search(text)
    if m and not named and not negated_at(text, m.start()):
        out.append(Fact("medication", "Uses an inhaler", ev, key="med:inhaler"))
    for name, code, at in _diagnoses(linker, text):
        if CONCERN_CUE.search(text[max(0, at - 60) : at]) and not negated_at(text, at):
            out.append(Fact("hpi", f"Worried about {name.lower()}", ev, key=f"concern:{code}"))
            continue
        if negated_at(text, at) or re.search(r"\b(if|worried|scared|afraid|concern\w*|what if|could it be|googl\w*|you (?:say|said|think|mentioned))\b", text, re.I):
            continue
        if "allerg" in name.lower():
            continue  # an allergy is its own fact
        if relative is None or relative.start() > at + 40:
            out.append(Fact("pmh", capitalize(name.lower()), ev, key=f"pmh:{code}", attrs={"code": code}))
    if _NO_SURGERY.search(text) and not relative:
        out.append(Fact("pmh", "No previous surgery", ev, key="surgery:none", negated=True))
    m = _BEFORE.search(text)
    if m and not negated_at(text, m.start()) and not relative and not re.search(r"\?\s*$", text):
        out.append(_previous(text[m.start():], ev))
    for rx, cat, phrase, key in IMPACT:
        m = rx.search(text)
        if m and not negated_at(text, m.start()) and not relative:
            if key == "stress" and WORK.search(text):
                phrase = "Stress at work"
            out.append(Fact(cat, phrase, ev, key=key))
    exercise = exercising(text)
    if exercise and not relative:
        out.append(Fact("social", exercise, ev, key="exercise:yes"))
    job = job_phrase(text)
    if job and not relative:
        out.append(Fact("social", job, ev, key="occupation"))
    live = living(text)
    if live:
        out.append(Fact("social", live, ev, key="living"))
    return out
