"""A small clinical lexicon: how patients say symptoms, and what a note calls them.

``SYMPTOMS`` maps a clinical name to the lay ways of saying it (regular expressions, tried
longest first); ``SYNONYMS`` lets the grounding check accept a clinical word for the lay word
the transcript holds ("abdominal" for "tummy"); ``ABBREVIATIONS`` are note shorthand.
The lists were shaped on the tuning half of PriMock57-dev (benchmarks/README.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

# clinical name -> lay patterns (word-bounded, case-insensitive)
SYMPTOMS: dict[str, str] = {
    "blood in stool": r"blood in (?:your |my |the )?(?:stools?|poo\w*|bowel motions?)|bloody (?:stools?|diarrh\w+)",
    "blood in vomit": r"blood in (?:your |my |the )?vomit",
    "haematuria": r"blood in (?:your |my |the )?(?:urine|wee|pee)|ha?ematuria|pink(?:ish)? (?:coloured |colored )?(?:urine|wee)",
    "haemoptysis": r"cough\w* up (?:(?:some|a|any|a bit of|a little|a little bit of|bits of) )?blood|(?:bring|brought|bringing) up blood|ha?emoptysis",
    "diarrhoea": r"diarrh\w+|loose (?:and watery )?stools?|watery stools?|the runs",
    "constipation": r"constipat\w+",
    "abdominal pain": r"(?:tummy|stomach|abdominal|belly|abdomen|tummy) (?:pain|ache|cramps?)|stomach ?ache|tummy ?ache|pain (?:\w+ ){0,4}?(?:in|on) (?:my |your |the )?(?:lower |upper |left |right )?(?:side of (?:my |your |the ))?(?:stomach|tummy|abdomen|belly)",
    "vomiting": r"vomit\w*|being sick|been sick|threw up|throw(?:ing)? up|(?:was|were) sick (?:once|twice|\w+ times|again|last night|this morning|in the night|overnight|after)",
    "nausea": r"nause\w+|feel(?:ing)? sick",
    "fever": r"(?<!hay )(?<!glandular )(?<!scarlet )(?<!yellow )fevers?|feverish|high temperature|a temperature|temperatures|burning up",
    "feeling hot and cold": r"hot and cold|hot (?:and|or) cold",
    "feeling hot": r"(?<!it )(?<!it's )(?<!that )feel\w* (?:(?:really|quite|very|a bit|so|kind of|sort of|pretty|a little) )*hot\b",
    "suprapubic pain": r"suprapubic\w*(?: pain)?|pain (?:just )?(?:above|over) (?:my |the )?(?:pubic bone|bladder)|bladder pain",
    "sweating": r"sweat\w*",
    "night sweats": r"night sweats|sweat\w* (?:during |in |at )(?:the )*night",
    "chills": r"chills|shiver\w*|rigors?",
    "headache": r"headaches?|headachy|head ?aches?|my head (?:hurts|is hurting|is sore)|pain in (?:my |your )?head|pain (?:on|in|at) (?:the )?(?:left |right |front |back |top )?(?:side |part )?of (?:my |your |the )head",
    "photophobia": r"photophobia|sensitiv\w+ to (?:the )?(?:bright )?lights?|light sensitiv\w+|light'?s? (?:is |are )?(?:really |quite |very )?(?:hurt\w*|bother\w*|annoying)\W+(?:\w+\W+){0,2}?(?:my|your) eyes|(?:difficulty|trouble|problems?) with (?:seeing )?(?:bright )?lights?|(?:hurts?|painful) to look at (?:the )?(?:bright )?lights?",
    "visual aura": r"aura|zig-?zag\w*|flashing lights|wavy lines",
    "blurred vision": r"blurr\w+ (?:vision|eyesight)|vision (?:is )?blurr\w+",
    "neck stiffness": r"stiff neck|neck stiffness|neck (?:is |feels )?stiff",
    "neck pain": r"neck (?:pain|ache)|pain in (?:my |your )?neck",
    "rash": r"rash\w*|spots|hives",
    "insect sting": r"stung by (?:a |an |the )?(?:bee|wasp|hornet|insect)|(?:bee|wasp|hornet|insect) stings?|insect bites?",
    "itching": r"itch\w*",
    "swelling": r"swell\w*|swollen",
    "cough": r"cough\w*",
    "sore throat": r"sore throats?|throat (?:is |feels )?(?:sore|painful)",
    "runny nose": r"runny nose|running nose|nose (?:is )?running",
    "blocked nose": r"blocked nose|stuffy nose|congest\w+",
    "blocked ears": r"blocked ears?|ears? (?:are |is |feel |feels )?blocked",
    "earache": r"ear ?ache|ear pain|pain in (?:my |your )?ears?",
    "shortness of breath": r"short(?:ness)? of breath|breathless\w*|out of breath|difficulty breathing|trouble breathing|struggl\w+ to breathe|can'?t breathe",
    "wheeze": r"wheez\w*",
    "chest pain": r"chest pains?|pain in (?:my |your )?chest|chest (?:is |feels )?(?:tight|sore)|(?:hurts?|hurting|pain|sore) (?:on|in) (?:the )?(?:(?:left|right) (?:hand )?side of )?(?:my |your )?chest",
    "palpitations": r"palpitations?|heart (?:racing|pounding|fluttering)|racing heart|heart (?:is |was |keeps |starts? |started )?(?:racing|pounding|fluttering|skipping(?: a)? beats?|beating (?:really |very |too |so )?(?:fast|quickly|hard))",
    "dizziness": r"dizz\w+|light-?headed\w*|vertigo",
    "fatigue": r"feel\w* (?:a bit |quite |very |really |so |a little )?(?:weak|drained|run[- ]down)|run-down|tired\w*|fatigue\w*|exhaust\w+|letharg\w+|no energy",
    "loss of appetite": r"(?:loss of |lost (?:my |your )?|off (?:my |your )?|reduced |poor |less |no )appetite|not (?:been )?eating (?:much|as much)",
    "weight loss": r"(?:lost|losing|loss of) weight|weight loss|lost (?:about |around |nearly |almost |over )?(?:half a stone|a stone|\d+ (?:kilos?|kg|pounds|lbs|stone))",
    "dysuria": (r"dysuria|painful (?:urination|peeing|weeing)|pain (?:passing|when passing) urine|(?:burn\w*|pain\w*|hurt\w*|sting\w*|sore),?(?: on| when| while)(?:[\s,]+(?:i|you))?(?:[\s,]+when(?:[\s,]+(?:i|you))?)?(?:[\s,]+(?:kind of|sort of|like))?[\s,]+"
                r"(?:pee|wee|urinat\w+|pass\w* urine|(?:go to|use) the (?:toilet|loo|bathroom))"),
    "urinary frequency": r"(?:pee|wee|urinat\w+|go(?:ing)? to the (?:toilet|loo|bathroom)|pass\w* (?:urine|water))\w* (?:a lot |much |far )?more(?: often| frequently)?|frequen\w+ (?:urination|of urine)|go(?:ing)? (?:a lot |much |far )?more (?:often|frequently) than (?:usual|normal)",
    "urinary symptoms": r"(?:problems?|issues?|trouble|symptoms?) (?:with |in )?(?:your |my |the )?(?:urine|waterworks|bladder)|waterworks (?:problems?|issues?)|urinary (?:symptoms?|problems?)",
    "bowel symptoms": r"(?:problems?|issues?|trouble|symptoms?) (?:with |in )?(?:your |my |the )?bowels?|bowel (?:problems?|issues?|symptoms?)",
    "visual disturbance": r"(?:problems?|issues?|trouble|difficult\w*|changes?) (?:with |in )?(?:your |my |the )?(?:vision|eyesight)|vision (?:problems?|changes?)|visual (?:problems?|disturbance\w*|symptoms?|changes?)",
    "balance problems": r"(?:problems?|difficult\w*|trouble|issues?) (?:with )?(?:your |my )?(?:balance|coordination)|(?:lost|losing|loss of) (?:my |your )?balance|unsteady\w*",
    "head injury": r"head injur\w*|(?:knocked|hit|banged|bumped) (?:on )?(?:the |your |my )?head|injur\w* (?:to )?(?:your |my |the )?head",
    "thoughts of self-harm": r"(?:harm\w*|hurt\w*|kill\w*) (?:yourself|myself)|self[- ]harm\w*|suicid\w*",
    "joint swelling": r"(?:joints?|knees?|ankles?|wrists?|fingers?) (?:are |is |look |looks |feel |feels )?(?:swollen|swelling)|swollen (?:joints?|knees?|ankles?)",
    "back pain": r"back ?pain|back ?ache|pain in (?:my |your )?(?:lower )?back|bad back",
    "joint pain": r"joint pains?|(?:joints|knees?|elbows?|wrists?|shoulders?|hips?) (?:are |is )?(?:painful|sore|aching|stiff)|arthralgia",
    "muscle aches": r"muscle (?:aches?|pains?)|aching muscles|myalgia|body aches?|aches and pains",
    "numbness": r"numb(?:ness|ed|ing)?",
    "tingling": r"tingl\w+|pins and needles",
    "limb weakness": r"weakness in (?:my |your )?(?:arms?|legs?)|(?:arms?|legs?|limbs?) (?:feel |feels |are |is )?weak|(?:numbness|tingling) or weakness|weakness or (?:numbness|tingling)",
    "speech disturbance": r"slurr\w+ (?:speech|words)|(?:trouble|difficult\w*|problems?) (?:with )?(?:your |my )?(?:speaking|talking|speech|words)|speech (?:problems?|changes?|disturbance)",
    "low mood": r"low mood|feel\w* (?:really |very |quite |so |a bit |pretty |a little )?(?:low|down|depressed)|depress\w+",
    "anxiety": r"anxi\w+|panic\w*|worr(?:y|ied) all the time",
    "lip swelling": r"(?:lips?|mouth) (?:is |are |feels? )?(?:swell\w*|swollen)|swell\w* (?:of|in|on) (?:my |your |the )?lips?",
    "pain": r"pains?|hurts?|hurting|painful|aches?|aching|sore|soreness",
    "sore skin": r"(?:skin|hands?)(?: on (?:my |your |the )?(?:hands?|fingers?|palms?|arms?|legs?|face))? (?:is |are |feels? |looks? )?(?:(?:kind of|sort of|quite|very|really|a bit|so|all) )*(?:sore|cracked|dry|red)|cracked skin|dry skin",
}
# Words a statement may use for words the transcript holds (both directions are tried).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "abdominal": ("tummy", "stomach", "belly", "abdomen"),
    "abdomen": ("tummy", "stomach", "belly"),
    "diarrhoea": ("diarrhea", "loose", "watery", "runs"),
    "vomiting": ("vomit", "vomited", "sick", "threw"),
    "vomited": ("vomit", "vomiting", "sick"),
    "nausea": ("nauseous", "nauseated", "sick"),
    "fever": ("temperature", "feverish", "hot", "fevers"),
    "pyrexia": ("fever", "temperature"),
    "fatigue": ("tired", "tiredness", "lethargic", "exhausted", "weak", "energy", "run", "rundown", "drained"),
    "lethargy": ("tired", "lethargic", "weak"),
    "lethargic": ("tired", "weak"),
    "dyspnoea": ("breath", "breathless", "breathe"),
    "breath": ("breathless", "breathe", "breathing"),
    "shortness": ("short", "breathless"),
    "photophobia": ("light", "lights", "bright"),
    "urinary": ("urine", "wee", "pee", "urinate", "urinating", "toilet", "loo", "waterworks", "bladder", "passing"),
    "urination": ("urine", "wee", "pee", "urinate", "urinating"),
    "painful": ("pain", "hurts", "sore", "burning"),
    "pain": ("hurt", "hurts", "hurting", "painful", "ache", "aching", "sore"),
    "relief": ("help", "helped", "helps", "helping", "work", "worked", "works", "difference", "edge"),
    "itching": ("itchy", "itchiness", "itch", "itches", "itched"),
    "dizziness": ("dizzy", "lightheaded", "light-headed", "giddy", "vertigo"),
    "mood": ("down", "low", "depressed"),
    "low": ("down",),
    "self": ("yourself", "myself"),
    "harm": ("harming", "hurting", "hurt"),
    "stool": ("stools", "poo", "bowel", "motions"),
    "intermittent": ("comes", "goes", "off", "on"),
    "constant": ("all", "time", "always"),
    "crampy": ("cramp", "cramps", "cramping"),
    "bilateral": ("both",),
    "smoker": ("smoke", "smoking", "smoked", "cigarettes"),
    "non": ("no", "not", "don't", "never"),
    "alcohol": ("drink", "drinking", "drinks", "alcohol", "wine", "beer", "units"),
    "occupation": ("work", "job"),
    "works": ("work", "working", "job"),
    "lives": ("live", "living"),
    "mother": ("mum", "mom", "mam", "mummy"),
    "father": ("dad", "daddy"),
    "children": ("kids", "kid", "child"),
    "child": ("kid", "kids"),
    "unwell": ("ill", "poorly", "sick", "bug"),
    "similar": ("same",),
    "similarly": ("same", "too"),
    "contacts": ("anyone", "anybody", "someone", "somebody", "else", "people", "others"),
    "other": ("else",),
    "analgesia": ("paracetamol", "ibuprofen", "painkillers"),
    "review": ("see", "back", "come", "follow", "check"),
    "follow": ("review", "see", "back"),
    "hydration": ("fluids", "water", "drink", "drinking", "hydrated"),
    "fluids": ("drink", "drinking", "water", "hydrated", "fluid"),
    "days": ("day",),
    "weeks": ("week",),
    "hours": ("hour",),
    "ankles": ("ankle",),
    "emollient": ("moisturiser", "moisturizer", "cream"),
    "topical": ("cream", "gel", "ointment"),
    "allergies": ("allergic", "allergy"),
    "nkda": ("allergies", "allergic"),
    "pharmacy": ("chemist", "pharmacist", "counter"),
    "otc": ("pharmacy", "counter", "chemist"),
    "safety": ("worse", "urgent", "emergency"),
    "worsening": ("worse", "deteriorat"),
    "referral": ("refer",),
    "sample": ("samples", "specimen"),
    "aura": ("zigzag", "zig", "zag", "flashing", "shooting", "wavy"),
    "visual": ("vision", "sight", "eyes"),
    "dysuria": ("burning", "sting", "stings", "stinging", "hurts", "hurting", "pee", "wee", "urinate", "urinating", "urine"),
    "insect": ("bee", "wasp", "hornet"),
    "sting": ("stung", "stings", "stinging"),
    "foreign": ("abroad",),
    "travel": ("abroad", "went", "been", "travelled", "traveled", "holiday"),
    "haematuria": ("blood", "pink"),
    "haemoptysis": ("blood",),
    "myalgia": ("muscle", "muscles"),
    "suprapubic": ("bladder", "pubic"),
    "antibiotics": ("antibiotic", "amoxicillin", "nitrofurantoin", "trimethoprim", "penicillin", "doxycycline"),
    "severe": ("bad", "terrible", "awful", "horrible", "really", "worst", "excruciating"),
    "mild": ("bit", "little", "slight"),
    "limb": ("arms", "legs", "arm", "leg"),
    "takes": ("take", "taking", "taken", "took", "on", "use", "using", "uses"),
    "uses": ("use", "using", "take", "taking"),
    "push": ("drink", "drinking", "hydrated", "fluids"),
    "improving": ("better", "improve", "improved", "settling"),
    "back": ("again", "return"),
    "worse": ("worsening", "deteriorating"),
    "smoking": ("smoke", "cigarettes"),
    "frequency": ("often", "frequently", "more"),
    "bowel": ("bowels", "stools", "poo"),
    "symptoms": ("problems", "problem", "issues", "trouble", "something"),
    "disturbance": ("problems", "problem", "difficulty", "difficulties", "trouble", "changes", "issues"),
    "balance": ("coordination", "unsteady"),
    "injury": ("knocked", "hit", "banged", "bumped", "injuries", "injured", "fall"),
    "self-harm": ("harming", "hurting", "harm", "hurt", "yourself", "myself", "suicidal"),
    "thoughts": ("thought", "thinking", "thoughts"),
    "joint": ("joints", "knee", "knees", "ankle", "ankles", "wrist", "fingers"),
    "previous": ("before", "previously", "past"),
    "episodes": ("happened", "before", "episode"),
    "trauma": ("injury", "injured", "banged", "knocked", "hit", "fall"),
    "flights": ("flight", "flying", "flew", "plane"),
    "earache": ("ear", "ears"),
    "sweating": ("sweaty", "sweats", "sweat", "sweatiness", "sweated"),
    "aches": ("ache", "aching", "pain", "pains", "sore"),
    "affecting": ("can't", "cant", "unable", "stopping", "stops"),
    "work": ("job", "working"),
    "disturbing": ("woke", "wakes", "waking", "awake", "keeps", "kept"),
    "sleep": ("woke", "wakes", "waking", "awake", "sleeping", "night"),
    "stressed": ("stressful", "stress"),
    "stress": ("stressful", "stressed"),
    "exercises": ("exercise", "running", "run", "jogging", "gym", "swimming", "swim", "cycling", "walking", "sports", "football"),
}
ABBREVIATIONS: dict[str, str] = {
    "hx": "history", "sx": "symptoms", "sob": "shortness of breath", "abdo": "abdominal", "abx": "antibiotics",
    "otc": "over the counter", "nkda": "no known drug allergies", "pmh": "past medical history", "bd": "twice a day",
    "tds": "three times a day", "qds": "four times a day", "od": "once a day", "prn": "as needed", "uti": "urinary tract infection",
    "urti": "upper respiratory tract infection", "lrti": "lower respiratory tract infection", "bp": "blood pressure",
}
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "fourteen": "14", "twenty": "20", "a": "1", "an": "1",
    "couple": "2", "half": "0.5", "once": "1", "twice": "2",
}


GENERIC = "pain"  # a bare "the pain": the pain being discussed
_FILLERS = re.compile(
    r"(?:,\s*)?\b(?:um+|uh+|erm|er|hmm+|mm+)\b(?:\.\.\.|,)?|(?:,\s*)?\blike,(?=\s)|(?:,\s*)?\byou know\b,?|\.\.\.", re.I
)


def clean_map(text: str) -> tuple[str, list[int]]:
    """``text`` without fillers ("pain in my, like, lower stomach" -> "pain in my lower
    stomach"), and for each kept character its offset in ``text``."""
    keep: list[int] = []
    pos = 0
    for m in _FILLERS.finditer(text):
        keep.extend(range(pos, m.start()))
        pos = m.end()
    keep.extend(range(pos, len(text)))
    keep = [i for j, i in enumerate(keep) if not (text[i] == " " and (j == 0 or text[keep[j - 1]] == " "))]
    return "".join(text[i] for i in keep), keep


def number_value(word: str) -> str:
    """'three' -> '3', '3' -> '3'; other words unchanged."""
    w = word.lower()
    return _NUMBER_WORDS.get(w, w)


@lru_cache(maxsize=1)
def symptom_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """(clinical name, compiled lay pattern): this lexicon's and general practice's symptoms
    (``lexicon_general``), most specific (longest pattern) first; then pains by body part, which
    never take a span a symptom names ("pain on the left side of my head" is a headache); a bare
    "pain" always last."""
    from medasr.note.lexicon_general import BODY_INJURY, BODY_PAIN, GENERAL_SYMPTOMS

    def longest_first(d: dict[str, str]) -> list[tuple[str, str]]:
        return sorted(((k, v) for k, v in d.items() if k != GENERIC), key=lambda kv: -len(kv[1]))

    items = longest_first({**SYMPTOMS, **GENERAL_SYMPTOMS}) + longest_first(BODY_PAIN) + longest_first(BODY_INJURY) + [(GENERIC, SYMPTOMS[GENERIC])]
    return [(name, re.compile(rf"\b(?:{pat})\b", re.I)) for name, pat in items]


@lru_cache(maxsize=1)
def synonym_map() -> dict[str, frozenset[str]]:
    """word -> words that may stand for it, in both directions."""
    from medasr.note.lexicon_general import SYNONYMS as GENERAL_SYNONYMS

    out: dict[str, set[str]] = {}
    for k, vs in [*SYNONYMS.items(), *GENERAL_SYNONYMS.items()]:
        for v in vs:
            out.setdefault(k, set()).add(v)
            out.setdefault(v, set()).add(k)
    return {k: frozenset(v) for k, v in out.items()}
