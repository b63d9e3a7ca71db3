"""The clinician's side: examination findings, the assessment, the plan and what the patient
is told to do, as brief facts.

Only the clinician's statements count (not questions). A diagnosis said with a hedge
("may have", "might be") is kept and flagged possible; one the clinician wants to rule out
or is reassured against is a hypothesis, never a diagnosis. Plan actions come from a table of
patterns; medicines in the plan are prescribed (status planned), with the dose the
clinician said. Each plan action has a patient instruction in plain words.
"""

from __future__ import annotations

import re
from dataclasses import replace

from medasr.note.dialogue import CLINICIAN, Remark, evidence, negated_at
from medasr.note.extract_symptoms import symptom_mentions
from medasr.note.exam import NOT_FINDING as _NOT_FINDING
from medasr.note.facts import Fact
from medasr.note.linking import Linker
from medasr.note.meds import Instruction, dose_text, parse_instruction
from medasr.note.phrase import amount, capitalize, duration, lower_first
from medasr.schema import Evidence, Transcript

_ASSESS = re.compile(r"\b(i think|i suspect|sounds? like|it seems|seems like|likely|probably|diagnos\w*|impression|consistent with|"
                     r"could be|might be|may be|may have|might have|you have|you've got|(?:he|she) has|(?:he|she)'s got|what you have|this is|it'?s (?:a|an)|"
                     r"caused by|something called|suggest\w*|typical of|classical of|in keeping with|possibility|possibilities|what we call)\b", re.I)
_PAST_DX = re.compile(r"\b(?:been|was|were) (?:\w+ )?diagnosed\b|\bhistory of\b|\byou(?:'ve| have) (?:always )?had\b|\byears ago\b", re.I)
_HEDGE = re.compile(r"\b(may|might|could|possibl\w*|possibility|perhaps|maybe|wonder\w*|suspect\w*|query|not sure|probably|likely)\b", re.I)
_RULE_OUT = re.compile(r"\b(rather than|instead of|as opposed to|rule out|ruling out|exclude|excluding|check (?:for|whether)|(?:figure|find|work) out (?:whether|if)|whether (?:you have|you've got|it'?s|this is)|see (?:whether|if) (?:you have|it'?s)|make sure (?:it'?s|it is) not|worried about|concerned about|reassured|unlikely|doesn'?t sound like|don'?t think (?:it'?s|you have))\b", re.I)
_VITALS = re.compile(r"\b(blood pressure|bp|pulse|heart rate|temperature|sats|saturations?|oxygen(?: saturations?| sats| levels?)?|respiratory rate|bmi|weight)\b[^.?!]{0,24}?\b(\d+(?:\.\d+)?(?:\s*(?:/|over)\s*\d+)?)", re.I)
_EXAM = re.compile(r"\b(on examination|examin\w* (?:shows|showed|reveals)|tender\w*|looks? (?:well|unwell)|chest (?:is )?clear|crackles|wheez\w* heard|no rash|swelling (?:of|over|around))\b", re.I)
_ON_EXAM = re.compile(r"^(?:so,? |okay,? |right,? )?on examination\b", re.I)  # said aloud in a consultation: the finding as said
_FILLER_LEAD = re.compile(r"^(?:(?:so|and|but|now|well|okay|ok|right|then|also|just|i think|i would say|i'd say|what i'd|what we'd|at this stage)\b[\s,]*)+", re.I)
# (action, pattern, plan phrase, patient instruction); "{d}" is filled with a duration said
ACTIONS: list[tuple[str, re.Pattern[str], str, str]] = [
    ("antibiotics", re.compile(r"\b(?:course of |start (?:the |some )?|take (?:the |some )?|prescribe (?:you )?(?:some )?|give you (?:some )?)antibiotics?\b", re.I),
     "Antibiotics", "Take the antibiotics as prescribed"),
    ("conservative", re.compile(r"\bconservative(?:ly)?(?: management)?\b", re.I), "Conservative management", ""),
    ("fluids", re.compile(r"\b(?:drink\w*|plenty of|lots of|keep up) (?:\w+ )?(?:fluids|water)\b|\bwell hydrated\b|\bhydrat\w+\b", re.I), "Push fluids", "Drink plenty of fluids"),
    ("rest", re.compile(r"(?<!at )\brest(?:ing)?\b(?! of)", re.I), "Rest", "Rest"),
    ("off_work", re.compile(r"\btime off(?: work)?\b|\boff work\b|\bsick note\b|\bself[- ]certif\w*", re.I), "Time off work{d}", "Take time off work{d}"),
    ("diary", re.compile(r"\b(headache|symptom|food|pain) diary\b", re.I), "Keep a {m1} diary", "Keep a {m1} diary"),
    ("pregnancy_test", re.compile(r"\bpregnancy test\b", re.I), "Pregnancy test", "Do a pregnancy test"),
    ("urine_test", re.compile(r"\burine (?:sample|test|dip)\b|\bsample of (?:your )?urine\b|\bmsu\b", re.I), "Urine sample", "Bring a urine sample"),
    ("stool_test", re.compile(r"\bstool (?:sample|test)\b|\bsample of (?:your )?stool\b", re.I), "Stool sample", "Provide a stool sample if asked"),
    ("bloods", re.compile(r"\bblood tests?\b|\bbloods\b", re.I), "Blood tests", "Have the blood tests"),
    ("imaging", re.compile(r"\b(x-?ray|ultrasound|ct scan|mri|ecg|scan)\b", re.I), "{m1}", "Have the {m1}"),
    ("swab", re.compile(r"\bswabs?\b", re.I), "Swab", "Have a swab taken"),
    ("refer", re.compile(r"\brefer\w* (?:you )?(?:to|for) (?!(?:an? |the )?(?:x-?rays?|scans?|ultrasounds?|blood tests?|tests?|mri|ct)\b)(?:an? |the )?([a-z]+(?: (?!(?:if|when|and|but|so|for|because|to|in|at|as|who|which|that|today|now|urgently|straight|soon|about)\b)[a-z]+){0,4})", re.I),
     "Refer to {m1}", "You will be referred to {m1}"),
    ("cranberry", re.compile(r"\bcranberry juice\b", re.I), "Trial cranberry juice", "Try cranberry juice"),
    ("emollient", re.compile(r"\bemollients?\b|\bmoisturis\w+", re.I), "Emollients", "Use emollients regularly"),
    ("avoid", re.compile(r"\bavoid(?:ing)? (?:any |the )?((?!(?:it|that|this|them|those|these|doing|getting|being)\b)[a-z]+(?: (?!(?:if|when|as|for|and|or|but|until|while|because|so)\b)[a-z]+)?)", re.I),
     "Avoid {m1}", "Avoid {m1}"),
    # common primary-care advice beyond the tuning consultations (written from general practice)
    ("active", re.compile(r"\b(?:keep|stay|staying|keeping) (?:as )?(?:active|mobile|moving)\b", re.I), "Keep active", "Keep active"),
    ("heat", re.compile(r"\bhot water bottle\b|\bheat (?:packs?|pads?)\b|\bwarm compress\w*", re.I), "Heat", "Use a heat pack or a hot water bottle"),
    ("hospital", re.compile(r"\bsend(?:ing)? you (?:up |in |straight )?(?:in)?to (?:the )?hospital\b|\b(?:go|going|head) (?:up |straight )?(?:in)?to (?:the )?hospital\b", re.I),
     "Send to hospital", "Go to the hospital"),
    ("team", re.compile(r"\bseen by (?:the )?(surgical|surgeons|medical|paediatric|gynaecology|orthopaedic|ent|on-call) (?:team|doctors)\b", re.I), "To be seen by {m1} team", ""),
    ("nbm", re.compile(r"\b(?:don'?t|do not|not to|try not to) (?:eat or drink|eat or drink anything|eat anything or drink)\b|\bnil by mouth\b", re.I),
     "Not to eat or drink", "Do not eat or drink until you are seen"),
    ("cut_down", re.compile(r"\b(?:cut(?:ting)? (?:down|back) on|reduc(?:e|ing) (?:your |the )?|less) (?:the |your )?((?:caffeine|coffee|tea|alcohol|drinking|energy drinks|fizzy drinks|sugar|salt|screen time)"
                            r"(?: and (?:the |your )?(?:caffeine|coffee|tea|alcohol|energy drinks|fizzy drinks|sugar|salt))?)\b", re.I), "Cut down on {m1}", "Cut down on {m1}"),
    ("compression", re.compile(r"\bcompression\b|\btubigrip\b|\bbandage\b", re.I), "Compression", "Use a compression bandage"),
    ("stop_drug", re.compile(r"\bstop (?:using |taking )?(?:the |your )?((?:decongestant|nasal|steroid|ibuprofen|aspirin|iron|pill|inhaler)(?: (?:spray|tablets?|pills?|drops|cream))?)\b", re.I), "Stop {m1}", "Stop the {m1}"),
    ("rinse", re.compile(r"\b(?:saline|salt ?water) (?:nasal )?(?:rinses?|washes?|irrigation|douching)\b|\bnasal (?:rinses?|irrigation|douching)\b", re.I), "Saline nasal rinses", "Rinse your nose with salt water"),
    ("manoeuvre", re.compile(r"\b(epley manoeuvre|epley maneuver|brandt[- ]daroff exercises)\b", re.I), "{m1}", "Do the {m1} at home"),
    ("physio", re.compile(r"\bphysio(?:therap\w*)?\b", re.I), "Physiotherapy", "See a physiotherapist"),
    ("talking", re.compile(r"\b(counsell?ing|talking therap\w+|cbt|cognitive behavioural therapy)\b", re.I), "{m1}", "Try {m1}"),
    ("elevate", re.compile(r"\belevat(?:e|ed|ing|ion)\b|\bkeep (?:it|your (?:leg|foot|arm|ankle)) (?:up|raised)\b|\braise (?:it|your (?:legs?|foot|feet|arm|ankle))\b", re.I), "Elevation", "Keep it raised"),
    ("lid_hygiene", re.compile(r"\bcooled boiled water\b|\bclean (?:your|the) (?:eye)?lids\b|\blid hygiene\b", re.I), "Eyelid hygiene", "Clean your eyelids with cooled boiled water"),
    ("towels", re.compile(r"\b(?:don'?t|do not|not to|avoid) shar(?:e|ing) (?:your )?(?:towels|pillows|flannels)\b", re.I), "Do not share towels", "Do not share towels"),
    ("ice", re.compile(r"\bice ?packs?\b|\bicing\b|\bput (?:some )?ice on\b", re.I), "Ice", "Put ice on it"),
    ("gargle", re.compile(r"\b(?:salt(?:y)? water )?gargl\w+", re.I), "Salt water gargles", "Gargle with salt water"),
    ("steam", re.compile(r"\bsteam inhal\w*|\binhal\w* (?:some |the )?steam\b|\bsteamy (?:shower|bathroom)\b", re.I), "Steam inhalation", "Try steam inhalation"),
    ("sleep_hygiene", re.compile(r"\bsleep hygiene\b", re.I), "Sleep hygiene advice", "Follow the sleep hygiene advice"),
    ("stop_smoking", re.compile(r"\b(?:stop(?:ping)?|quit(?:ting)?|give up|giving up|cut(?:ting)? down(?: on)?) (?:the )?(?:smoking|cigarettes)\b|\bsmoking cessation\b", re.I),
     "Smoking cessation advice", "Stop smoking"),
    ("lifestyle", re.compile(r"\blifestyle (?:changes?|advice|measures|modifications?)\b", re.I), "Lifestyle advice", "Make the lifestyle changes discussed"),
    ("bp_check", re.compile(r"\b(?:check|monitor|measure)\w* (?:your )?blood pressure\b|\bblood pressure (?:check|monitor|reading)\w*\b", re.I), "Blood pressure check", "Have your blood pressure checked"),
    ("review", re.compile(r"\b(?:come back|see you again|see me again|review|follow[- ]?up|call (?:us )?back|ring (?:us )?back|get back in touch|book (?:an|another) appointment|bring (?:him|her|them) back)\b", re.I),
     "Review{d}{c}", "Come back{d}{c}"),
    ("safety", re.compile(r"\b(?:a ?& ?e|a and e|999|111|ambulance|emergency|urgent\w*|straight away|immediately|red flags?)\b", re.I),
     "Safety-netting advice given", "Seek urgent help if symptoms get worse"),
]
_REQUEST = re.compile(r"^(?:and |so |also |okay,? |ok,? )*(?:could|can|would|will) you (?:also |please |just |possibly )*(?:drop|bring|pop|book|make|get|pick|do|provide|send|hand|arrange|go|come)\b|^(?:would you mind|please)\b", re.I)
TESTS = ("pregnancy_test", "urine_test", "stool_test", "bloods", "imaging", "swab", "refer")
_MAYBE = re.compile(r"\b(?:might|may|could|possibly|perhaps)\b(?: \w+){0,4}\s*$|\bif (?:we|things|it)\b|\bcan (?:arrange|organi[sz]e|book|do)(?: \w+){0,2}\s*$", re.I)
_LOOK_OUT = re.compile(r"\b(?:look|watch) out for\b", re.I)
_WORSE = re.compile(r"\bworse\w*|\bworsening\b|\b(?:not|n't) (?:getting )?(?:any )?better\b|\bpersist\w*", re.I)
_IF_CLAUSE = re.compile(r"\bif (?:you|your|it|things|the|they)\b", re.I)
_RETURN = re.compile(r"\b(?:call|ring|phone|come back|see me|see you|get in touch|contact|seek|a ?& ?e|999|111|appointment|straight away)\b", re.I)
_PRESCRIBE = re.compile(r"\b(take|taking|try|trial|prescri\w+|give you|give (?:him|her|them)(?= (?:some|regular|\w+ and))|start\w*|recommend\w*|advis\w*|suggest\w*|can get|could get|"
                        r"use|using|apply|pharmacy|chemist|over the counter|course|tablets?|capsules?|twice|daily|a day|"
                        r"would be|might help|can help|help with|should)\b", re.I)
_WHEN = re.compile(r"\bin (?:the next |about |around )?((?:\d+|a|an|one|two|three|four|five|six|seven|ten|fourteen|a couple of|a few)(?:\s*(?:to|or|-)\s*(?:\d+|two|three|four|five|six|seven|ten|fourteen))? (?:hours?|days?|weeks?|months?))|\b(next week|tomorrow|in a week)\b", re.I)
_UNLESS = re.compile(r"\bif (?:your |the |you(?:'re| are) )?(?:symptoms? )?(?:\w+ )?(?:don'?t|do not|haven'?t|has not|hasn'?t|aren'?t|not) (?:got |get |gotten |getting |feeling )?(?:any )?better|\bif (?:it|things|they|you) (?:get|gets|getting) worse|\bif (?:not|no) (?:better|improving)|\bnot (?:better|improving)\b", re.I)


def _lead_stripped(text: str) -> str:
    return _FILLER_LEAD.sub("", text).strip()


def _fill(phrase: str, m: re.Match[str], text: str) -> str:
    d = ""
    w = _WHEN.search(text)
    if "{d}" in phrase:
        if w:
            d = f" in {amount(w.group(1))}" if w.group(1) else f" {w.group(2).lower()}"
        elif duration(text):
            d = f" for {duration(text)}"
    c = " if not improving" if "{c}" in phrase and _UNLESS.search(text) else ""
    m1 = (m.group(1) if m.groups() else m.group(0)) or ""
    return capitalize(phrase.replace("{d}", d).replace("{c}", c).replace("{m1}", m1.lower()))


def plan_facts(utts: list[Remark], tr: Transcript, linker: Linker, mode: str) -> list[Fact]:
    facts: list[Fact] = []
    for k, u in enumerate(utts):
        if u.role != CLINICIAN:
            continue
        text = u.text
        if u.is_question:
            if _REQUEST.match(text):  # "Could you drop off a urine sample?": asked of the patient, a plan
                facts += _plan(u, tr, linker, text)
            continue
        ev = (evidence(tr, u),)
        for m in _VITALS.finditer(text):
            facts.append(Fact("exam", capitalize(f"{m.group(1).lower()} {m.group(2)}"), ev, key=f"vital:{m.group(1).lower()}"))
        if _EXAM.search(text) and not _VITALS.search(text) and mode == "dictation" or mode == "conversation" and _ON_EXAM.match(text):
            said = _ON_EXAM.sub("", _lead_stripped(text)).lstrip(" ,") if mode == "conversation" else _lead_stripped(text)
            said = re.sub(r"^(?:there (?:is|are|was|were)|there'?s|i (?:can )?(?:see|feel|find))\s+(?:an? )?", "", said, flags=re.I)
            facts.append(Fact("exam", capitalize(said.rstrip(".")), ev, key=f"exam:{u.unit.index}"))
        facts += _assessment(u, tr, linker, text)
        after = tuple(n for n in utts[k + 1 : k + 3] if n.turn == u.turn)
        facts += _plan(u, tr, linker, text, after)
    return _named_tests(facts, utts, tr) + _return_if(utts, tr)


# blood tests the clinician names, in the words a note uses
BLOOD_TESTS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(rx, re.I), name) for rx, name in (
    (r"\bfull blood count\b|\bfbc\b|\bblood count\b", "full blood count"),
    (r"\b(?:kidney|renal) function\b|\bu ?(?:&|and) ?es?\b", "kidney function"),
    (r"\bliver function\b|\blfts?\b", "liver function"),
    (r"\bthyroid (?:function|levels?|tests?)\b|\btfts?\b", "thyroid function"),
    (r"\binflammatory markers\b", "inflammatory markers"),
    (r"\bcrp\b|\bc[- ]reactive protein\b", "CRP"),
    (r"\besr\b", "ESR"),
    (r"\bhba1c\b|\bblood sugars?\b|\bsugar levels?\b", "blood sugar"),
    (r"\b(?:thick and thin )?blood films?\b", "blood films"),
    (r"\brheumat\w* (?:antibodies|factor|screen)\b", "rheumatology screen"),
    (r"\buric acid\b|\burate\b", "urate"),
    (r"\b(?:vitamin )?b12\b|\bfolate\b", "B12 and folate"),
    (r"\bvitamin d\b", "vitamin D"),
    (r"\bferritin\b|\biron (?:levels?|studies)\b", "iron studies"),
    (r"\bd[- ]?dimer\b", "D-dimer"),
    (r"\bclotting\b", "clotting"),
))
_TEST_CUE = re.compile(r"\b(?:check\w*|test\w*|bloods?|look\w* (?:at|for)|measur\w*|screen\w*|do (?:a|some)|arrange)\b", re.I)


def _named_tests(facts: list[Fact], utts: list[Remark], tr: Transcript) -> list[Fact]:
    """The blood tests the clinician names ("we can check your full blood count ... and your kidney
    function"): "Blood tests: full blood count, kidney function", on the blood-test item if there is one."""
    names: list[str] = []
    evs: list[Evidence] = []
    for u in utts:
        text = u.text
        if u.role != CLINICIAN or u.is_question or not _TEST_CUE.search(text) or _NOT_FINDING.search(text):
            continue
        said = [name for rx, name in BLOOD_TESTS if (m := rx.search(text)) and not negated_at(text, m.start())]
        if said:
            names += [n for n in said if n not in names]
            evs.append(evidence(tr, u))
    if not names:
        return facts
    k = next((i for i, f in enumerate(facts) if f.key == "plan:bloods"), None)
    if k is None:
        return [*facts, Fact("plan", "Check " + ", ".join(names), tuple(evs), key="plan:bloods-named")]
    f = facts[k]
    ev = tuple(dict.fromkeys(f.evidence + tuple(evs)))
    return [*facts[:k], replace(f, text=f"{f.text}: " + ", ".join(names), evidence=ev), *facts[k + 1 :]]


def _return_if(utts: list[Remark], tr: Transcript) -> list[Fact]:
    """Safety-netting with its content: the symptoms the clinician tells the patient to come
    back for ("things to look out for would be worsening tummy pain, vomiting"; "if you're
    having problems with your vision ... give me a call") -> "Return if abdominal pain, vomiting"."""
    names: list[str] = []
    evs = []
    for k, u in enumerate(utts):
        if u.role != CLINICIAN or u.is_question:
            continue
        text = u.text
        nxt = utts[k + 1].text if k + 1 < len(utts) and utts[k + 1].role == CLINICIAN else ""
        prv = utts[k - 1].text if k and utts[k - 1].role == CLINICIAN else ""
        # "... or weakness. Just give me a call."; "Come back and see me straight away. So if ..."
        then = bool(_RETURN.search(nxt[:50])) and not _IF_CLAUSE.search(nxt) or bool(_RETURN.search(prv[-60:])) and not _IF_CLAUSE.search(prv)
        cond, look_out = _IF_CLAUSE.search(text), _LOOK_OUT.search(text)
        if not (look_out or cond and (_RETURN.search(text) or then)):
            continue
        start = 0 if look_out else cond.start()  # type: ignore[union-attr]
        found = []
        said = symptom_mentions(text)
        for j, (n, a, b) in enumerate(said):
            if n == "pain" or a < start or negated_at(text, a):
                continue
            upto = said[j + 1][1] if j + 1 < len(said) else b + 60  # its own words, not the next symptom's
            worse = _WORSE.search(text[max(0, a - 12) : a]) or _WORSE.search(text[b:min(upto, b + 60)])
            found.append(f"worsening {n}" if worse else n)
        if found:
            names += [n for n in dict.fromkeys(found) if n not in names]
            evs.append(evidence(tr, u))
    names = [n for n in names if f"worsening {n}" not in names]  # "headache" and "worsening headache"
    if not names:
        return []
    said = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return [Fact("plan", f"Return if {said}", tuple(evs), key="plan:return_if",
                 attrs={"action": "return_if", "instruction": f"Get in touch if you have {said}"})]


_DX_MODIFIER = re.compile(r"\b(locali[sz]ed|mild|acute|chronic|early|simple|uncomplicated|recurrent)\s+$", re.I)


def _assessment(u: Remark, tr: Transcript, linker: Linker, text: str) -> list[Fact]:
    out = []
    for m in linker.find("diagnosis", text):
        if m.code.startswith("R"):
            continue  # a symptom, not a diagnosis
        before = text[: m.start]
        ev = (evidence(tr, u),)
        name = m.surface.lower()
        if _RULE_OUT.search(before[-60:]) or negated_at(text, m.start):
            if re.search(r"\b(rule out|exclude|check for)\b", before[-60:], re.I):
                out.append(Fact("plan", capitalize(f"to exclude {name}"), ev, key=f"exclude:{m.code}", uncertain=True, reason="hypothesis: to rule out"))
            continue  # reassured against, or denied: not a diagnosis
        if _PAST_DX.search(before[-60:]):  # "You've been diagnosed with high blood pressure": history
            out.append(Fact("pmh", capitalize(name), ev, key=f"pmh:{m.code}", attrs={"code": m.code}))
            continue
        if not _ASSESS.search(before[-120:] + " " + text[m.end : m.end + 20]):
            continue
        if re.search(r"\b(?:your|his|her)\s+$", before, re.I):
            continue  # "it has made your asthma worse": a condition the patient has, not this diagnosis
        mod = _DX_MODIFIER.search(before)
        if mod and mod.group(1).lower() not in name:
            name = f"{mod.group(1).lower()} {name}"  # "a localised allergic reaction", "an acute sinusitis"
        after_hedge = _HEDGE.match(text[m.end : m.end + 12].lstrip(" ,"))  # "a viral illness perhaps" (not "eczema, possibly triggered by ...")
        if after_hedge and not re.match(r"\s*(?:[.,;!?]|$)", text[m.end :].lstrip(" ,")[after_hedge.end() :]):
            after_hedge = None  # "a viral illness perhaps." (not "a sprain, possibly a tear", "eczema, possibly triggered by ...")
        hedge = _HEDGE.search(before[-60:]) or after_hedge
        likely = bool(hedge) and hedge.group(1).lower() in ("probably", "likely")
        phrase = f"likely {name}" if likely else f"possible {name}" if hedge else name
        reason = "probable (the clinician said so)" if likely else "possible (hedged)" if hedge else ""
        out.append(Fact("assessment", capitalize(phrase), ev, key=f"dx:{m.code}", uncertain=bool(hedge), reason=reason,
                        attrs={"code": m.code}))
    return out


_NO_NEED = re.compile(r"\b(?:don'?t think (?:you|we|he|she) (?:need|needs|will need)|no need (?:for|to)|(?:you|we) (?:won'?t|don'?t) need|(?:he|she) (?:won'?t|doesn'?t) need)"
                      r"(?: to (?:do|have|arrange|get|take|start))? (?:any |an? |some |the |anything like )?"
                      r"((?:allergy |blood |urine |further )?(?:test(?:s|ing)?|antibiotics|x-?rays?|scans?|a referral|referral|bloods))\b", re.I)
_OTC = re.compile(r"\b(?:pharmacy|pharmacist|chemist|over the counter)\b", re.I)
# a prescription sent to the patient's pharmacy is not bought over the counter
_SENT = re.compile(r"\bsend\w*\b[^.?!]{0,30}\bpharmacy\b|\bprescri\w*|\bscript\b", re.I)


_REASON_AFTER = re.compile(r"\s*(?:is|was|has been|seems to be|might be|may be)?\s*(?:causing|giving you|making you|not working|isn'?t working|not suiting|doesn'?t suit)\b", re.I)
_SWITCH = re.compile(r"\b(?:switch|change|swap|mov)\w* (?:you )?(?:over )?(?:to|onto)\b", re.I)


def _dose_after(after: tuple[Remark, ...], linker: Linker) -> tuple[tuple[Remark, ...], Instruction] | None:
    """The dose said in the next sentences of the clinician's turn, before any other drug is
    named: "I would take ibuprofen regularly. You can get that over the counter. That's four
    hundred milligrams, two times a day." -> the sentences up to the dose, and the dose."""
    for k, n in enumerate(after):
        if n.is_question or linker.find("drug", n.text):
            return None
        ins = parse_instruction(n.text)
        if ins.dose:
            return after[: k + 1], ins
    return None


def _plan(u: Remark, tr: Transcript, linker: Linker, text: str, after: tuple[Remark, ...] = ()) -> list[Fact]:
    out = []
    ev = (evidence(tr, u),)
    low_neg = re.search(r"\b(don'?t think you need|no need for|won'?t need|not going to)\b", text, re.I)
    for action, rx, phrase, instruction in ACTIONS:
        m = rx.search(text)
        if m is None or (negated_at(text, m.start()) and action not in ("safety", "review")) or low_neg and low_neg.start() < m.start():
            continue
        attrs = {"action": action}
        stated = _fill(phrase, m, text)
        maybe = action in TESTS and _MAYBE.search(text[max(0, m.start() - 40) : m.start()])
        if maybe:  # "we might need to arrange some blood tests": not booked yet
            stated = f"May need {lower_first(stated)}"  # "May need MRI"
        if instruction:
            attrs["instruction"] = _fill(instruction, m, text)
            if maybe:
                attrs["instruction"] = f"You may need to {attrs['instruction'][:1].lower()}{attrs['instruction'][1:]}"
        out.append(Fact("plan", stated, ev, key=f"plan:{action}", attrs=attrs))
    nn = _NO_NEED.search(text)
    if nn and not _NOT_FINDING.search(text[: nn.start()]):
        # "I don't think you need any allergy testing": what was decided against is part of the plan
        out.append(Fact("plan", f"No need for {nn.group(1).lower()}", ev, key=f"plan:no-need:{nn.group(1).lower()}", negated=True))
    if not _PRESCRIBE.search(text):
        return out  # a drug named without a cue to take or give it ("thyroid as well") is not a plan
    drugs = linker.find("drug", text)
    # "As the amlodipine is causing ankle swelling, I'd like to switch you to ramipril ...": the reason, not a prescription
    reasons = [d for d in drugs if _REASON_AFTER.match(text[d.end :])]
    for m in drugs:
        if m.code.startswith("mesh:") or negated_at(text, m.start) or low_neg and low_neg.start() < m.start or m in reasons:
            continue
        if re.search(r"\b(?:cut(?:ting)? (?:down|back) on|reduc\w+|less|avoid\w*|stop(?:ping)?|no more)\s+(?:the |your |any )?$", text[max(0, m.start - 30) : m.start], re.I):
            continue  # "cut down on the caffeine": advice against it, not a prescription
        nxt = next((d.start for d in drugs if d.start > m.start and d.code != m.code), len(text))  # "Piriton or chlorphenamine": one drug
        ins = parse_instruction(text[m.start : nxt])  # "X ... Y 2.5 mg": Y's dose is not X's
        evs, said = ev, text
        if not ins.dose and not ins.frequency and len(drugs) == 1:
            later = _dose_after(after, linker)
            if later is not None:
                evs, ins = (*ev, *(evidence(tr, n) for n in later[0])), later[1]
                said = " ".join([text, *(n.text for n in later[0])])
        bits = [m.surface[:1].upper() + m.surface[1:]]
        if ins.dose:
            bits.append(dose_text(ins.dose, ins.unit))
        for f in (ins.frequency, f"for {ins.duration}" if ins.duration else ""):
            if f:
                bits.append(f)
        if _OTC.search(said) and not _SENT.search(said):
            bits.append("(over the counter)")
        phrase = " ".join(bits)
        attrs = {"drug": m.surface, "status": "planned", "instruction": f"Take {lower_first(phrase)}", "action": "drug"}  # "Take GTN"
        if reasons and _SWITCH.search(text[: m.start]):
            attrs["instruction"] = f"Stop {reasons[0].surface} and take {lower_first(phrase)}"
            phrase = f"Switch {reasons[0].surface} to {lower_first(phrase)}"
        out.append(Fact("plan", phrase, evs, key=f"plan:drug:{m.code}", attrs=attrs))
    return out
