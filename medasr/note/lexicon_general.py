"""Symptoms of general practice beyond the tuning consultations: how patients say them.

``lexicon.SYMPTOMS`` was shaped on the tuning half of PriMock57-dev, so it holds the symptoms
those 13 consultations happened to discuss. The entries here were written from the common
presentations of primary care (ear, nose and throat, eyes, gut, urinary, gynaecological,
neurological, skin, joints), not from any consultation, so that a note on a new kind of visit
still records what the patient said. ``BODY_PAIN`` gives "pain in my knee" its own name ("Knee
pain"): without it a pain at a site the lexicon does not name is only the bare "pain".
``lexicon.symptom_patterns`` tries these symptoms beside its own, longest pattern first, and the
pains by body part after every symptom.
"""

from __future__ import annotations

_EAR = r"(?:my |your |the |his |her )?ears?"
_EYES = r"(?:my |your |the |his |her )?eyes?"
_INTENS = r"(?:(?:really|quite|very|a bit|so|a little|kind of|sort of) )?"

GENERAL_SYMPTOMS: dict[str, str] = {
    # ear, nose and throat
    "sneezing": r"sneez\w*",
    "hoarse voice": r"hoarse\w*|(?:lost|losing) (?:my |your |her |his )?voice",
    "difficulty swallowing": r"(?:difficult\w*|trouble|problems?|struggl\w+|pain\w*|hurts?|sore) (?:with |when |to |on )?(?:i |you )?swallow\w*|dysphagia|(?:can'?t|cannot) swallow",
    "hearing loss": r"(?:can'?t|cannot|couldn'?t) hear (?:very )?(?:well|properly|much)|hearing (?:loss|problems?|is (?:worse|not good|bad|muffled))|(?:lost|losing) (?:my |your )?hearing|muffled hearing|deaf\w*",
    "tinnitus": rf"tinnitus|ringing in {_EAR}|{_EAR} (?:are |is |keep |keeps )?ringing|buzzing in {_EAR}",
    "ear discharge": rf"discharge (?:from|coming out of) {_EAR}|{_EAR} (?:is |are )?(?:discharging|leaking|oozing|weeping)|(?:pus|fluid|gunk) (?:coming )?(?:out of|from) {_EAR}",
    "nosebleeds": r"nose ?bleeds?|bleed\w* (?:from )?(?:my |your |the |his |her )?nose|epistaxis",
    "sinus pain": r"sinus(?:es)? (?:pain|pressure|headaches?)|pressure (?:in|around) (?:my |your |the )?(?:sinuses|cheeks|forehead)|sinusitis",
    "loss of smell": r"(?:lost|loss of|losing|no) (?:my |your |the )?(?:sense of )?smell|(?:can'?t|cannot) (?:really )?smell (?:anything|things)",
    "loss of taste": r"(?:lost|loss of|losing|no) (?:my |your |the )?(?:sense of )?taste|(?:can'?t|cannot) taste (?:anything|things|food)",
    "mouth ulcers": r"mouth ulcers?|ulcers? (?:in|on) (?:my |your |the )?(?:mouth|tongue|gums?)",
    # eyes
    "itchy eyes": rf"itchy eyes|{_EYES} (?:are |is |feel |feels |have been |has been )?{_INTENS}itch(?:y|ing)",
    "watery eyes": rf"watery eyes|{_EYES} (?:are |is |have been |has been |keep |keeps )?(?:watering|watery|streaming)",
    "red eye": rf"red eyes?|bloodshot|{_EYES} (?:is |are |look |looks |has gone |have gone |went |have been |has been )?{_INTENS}(?:red|pink)\b",
    "eye discharge": rf"(?:sticky|gunky|crusty) eyes?|{_EYES} (?:have been |are |were |is |has been )?(?:red and )?(?:sticky|gunky|crusty)|eyelids (?:were |are |have been )?(?:stuck|glued) together|discharge (?:from|coming out of) {_EYES}|{_EYES} (?:is |are )?(?:sticky|gunky|crusty|weeping)",
    # gut
    "heartburn": r"heartburn|heart burn|acid reflux|reflux|acid (?:coming )?(?:up|in (?:my|your|the) throat)",
    "indigestion": r"indigestion|dyspepsia",
    "bloating": r"bloat\w*",
    "rectal bleeding": r"bleed\w* from (?:my |your |the )?(?:bottom|back passage|rectum|anus)|rectal bleed\w*|blood (?:on|in) (?:the )?(?:toilet paper|tissue|toilet bowl|pan)",
    "jaundice": r"jaundic\w+|(?:skin|eyes) (?:are |is |look |looks |has gone |have gone |went |turned )?(?:a bit |quite )?yellow|yellow(?:ish)? (?:skin|eyes)",
    "dark urine": r"dark (?:urine|wee|pee)|(?:urine|wee|pee) (?:is |was |has been |looks )?(?:very |really |quite )?dark",
    # urinary
    "difficulty passing urine": r"(?:difficult\w*|trouble|struggl\w+|hard) (?:to |with |when )?(?:pass\w* (?:urine|water)|pee\w*|wee\w*|urinat\w+|start\w* (?:the )?(?:flow|stream))|weak (?:stream|flow)|dribbl\w+",
    "urinary urgency": r"(?:sudden |strong |urgent )?urge to (?:go|pee|wee|urinate|pass urine)|urinary urgency|(?:need|needing|have|having) to (?:go|pee|wee|urinate) (?:really |so )?(?:urgently|straight away|right away|in a hurry)|(?:rush\w*|run\w*) to the (?:toilet|loo|bathroom)",
    "nocturia": r"(?:get(?:ting)?|wak\w+) up (?:\w+ ){0,3}(?:at night|in the night|during the night) to (?:pee|wee|go to the (?:toilet|loo|bathroom)|urinate)|nocturia",
    "incontinence": r"incontinen\w+|leak\w* (?:urine|wee|pee)|wet (?:myself|yourself|herself|himself)|(?:can'?t|cannot) hold (?:it|my (?:urine|bladder|wee))",
    # gynaecological
    "vaginal discharge": r"vaginal discharge|discharge (?:down below|from (?:the |my |your )?vagina)",
    "nasal discharge": r"discharge (?:from|coming out of) (?:my |your |the )?nose|(?:thick |green |yellow )+(?:snot|mucus|discharge|stuff)(?= (?:from|out of|coming))?|nasal discharge",
    "abnormal discharge": r"(?:unusual|abnormal|funny|smelly|strange) discharge",
    "vaginal bleeding": r"vaginal bleed\w*|bleed\w* (?:down below|from (?:the |my |your )?vagina)|bleed\w* (?:between|after) (?:my |your )?(?:periods|sex)",
    "heavy periods": r"heavy periods?|periods? (?:are |is |have been |has been )?(?:really |very |quite )?heavy|menorrhagia",
    "painful periods": r"painful periods?|period pains?|dysmenorrh\w+",
    "missed period": r"missed (?:a |my |your )?periods?|periods? (?:is |are )?late|late periods?",
    "hot flushes": r"hot flush\w*|hot flash\w*|flushes",
    # neurological, general
    "fainting": r"fainted|fainting|feel\w* faint|felt faint|pass(?:ed|ing)? out|black(?:ed|ing)? out|blackouts?|collaps(?:ed|ing)",
    "tremor": r"trembl\w+|tremors?|shak(?:y|ing|iness) hands?|hands? (?:are |is |have been )?shak\w+",
    "seizures": r"seizures?|convuls\w+|epileptic fits?",
    "memory problems": r"forgetful\w*|memory (?:problems?|loss|issues?|is (?:bad|poor|not (?:good|great|what it was)))|(?:losing|lost) (?:my |your )?memory",
    "insomnia": r"insomnia|(?:trouble|difficult\w*|problems?|struggl\w+) (?:with )?(?:getting to |falling |to )?sleep\w*|(?:can'?t|cannot) sleep|not sleeping(?: well)?|(?:poor|bad) sleep",
    # mood (what a GP asks after in low mood)
    "anhedonia": r"(?:don'?t|do not|can'?t|cannot) (?:really )?enjoy (?:anything|things|much|life)|(?:lost|losing|no) interest in (?:anything|things|everything|life)|(?:can'?t|cannot) be bothered (?:to do|doing|with) (?:anything|things)",
    "early morning waking": r"wak(?:e|ing) (?:up )?(?:really |very |so )?early|wak(?:e|ing) up at (?:three|four|five|3|4|5)(?: o'?clock)?(?: in the morning| am)?",
    "poor concentration": r"(?:can'?t|cannot|struggl\w+ to|hard to|difficult to|trouble) (?:really )?(?:concentrat\w+|focus\w*)|(?:poor|bad|no) concentration",
    "suicidal thoughts": r"suicidal (?:thoughts|ideation|feelings)|thoughts of (?:suicide|ending (?:my|it all)|killing myself)|(?:want|wanted|wanting) to (?:die|end (?:it all|my life)|kill myself)|better off (?:dead|not (?:being )?here|without me)|(?:thought|thinking|think) about (?:ending (?:my life|it all)|killing myself|suicide)",
    "swollen glands": r"swollen (?:lymph )?glands|glands (?:are |feel |have been |were )?(?:a bit |quite |really )?(?:swollen|up|enlarged)",
    "weight gain": r"(?:gained|gaining|put on|putting on) (?:some |a lot of |a bit of )?weight|weight gain",
    "excessive thirst": r"(?:very |really |so |always |more |extra )thirsty|thirst\w*",
    "hair loss": r"hair loss|(?:losing|lost) (?:my |your |some |a lot of )?hair|hair (?:is )?(?:falling|coming) out",
    # skin and joints
    "bruising": r"bruis\w+",
    "ear pulling": r"(?:pull|tugg|rubb)(?:s|ing|ed)? (?:at |on )?(?:his |her |their |my |the )?(?:left |right )?ears?",
    "drowsiness": r"drows(?:y|iness)|floppy|hard to wake|difficult to wake",
    "vertigo": r"(?:the )?(?:room|everything|world) (?:is |starts |started |keeps |goes |was |seems to be )?(?:spinning|going round|moving round)|spinning (?:sensation|feeling)|vertigo",
    "ankle swelling": r"ankles? (?:do |are |is |have been |get |gets |keep |has been )?(?:a bit |quite |very |really )?(?:swell\w*|swollen|puffy)|swollen ankles?|swelling (?:in|of|around) (?:my |your |the |both )?ankles?",
    "feeling anxious": r"feel\w* (?:really |very |quite |a bit |so |a little )?(?:anxious|nervous|on edge|panicky|panicked)",
    "limp": r"limp(?:ing|s)?\b",
    "giving way": r"giv(?:es|ing) way|(?:going|gonna) to give way|gave way|buckl(?:es|ing|ed)",
    "clicking": r"click(?:s|ing|y)\b",
    "locking": r"lock(?:s|ing|ed)?(?! (?:the|my|your|it|up|down|in|out|door|car))\b|get(?:s|ting)? stuck",
    "itchy rash": r"itchy (?:red |little |bumpy |raised )?rash|rash (?:that|which)(?:'s| is) (?:really |very |so )?itchy",
    "lump": r"lumps?",
    "nipple discharge": r"nipple discharge|discharge (?:from|coming out of) (?:my |your |the )?nipples?|nipples? (?:is |are )?(?:leaking|discharging|weeping)",
    "leg swelling": r"(?:legs?|feet|calf|calves) (?:are |is |have been |has been |look |looks |feel |feels )?(?:a bit |quite |very |really )?(?:swollen|swelling|puffy)|swollen (?:legs?|feet|calf|calves)|swelling (?:in|of|on) (?:my |your |the |both )?(?:legs?|feet|calf|calves)",
    "joint stiffness": r"stiff(?:ness)? (?:in )?(?:my |your |the )?(?:joints?|knees?|hands?|fingers?|shoulders?|hips?)|(?:joints?|knees?|hands?|fingers?|shoulders?|hips?) (?:are |is |feel |feels )?(?:really |quite |very |a bit )?stiff",
    "muscle cramps": r"(?:muscle|leg|calf|foot) cramps?|cramps? in (?:my |your |the )?(?:legs?|calf|calves|feet|foot)",
}

# body part as said -> the part in a note's words ("pain in my knees" -> "Knee pain")
_PARTS: dict[str, str] = {
    "big toe": r"big toes?", "knee": r"knees?", "shoulder": r"shoulders?", "hip": r"hips?", "elbow": r"elbows?", "wrist": r"wrists?",
    "ankle": r"ankles?", "foot": r"foot|feet", "heel": r"heels?", "toe": r"toes?", "leg": r"legs?", "calf": r"calf|calves",
    "thigh": r"thighs?", "arm": r"arms?", "hand": r"hands?", "finger": r"fingers?", "thumb": r"thumbs?", "eye": r"eyes?",
    "jaw": r"jaw", "tooth": r"tooth|teeth", "face": r"face", "groin": r"groin", "testicular": r"testicles?|testis|testes",
    "abdominal": r"tummy|stomach|belly|abdomen", "rib": r"ribs?", "pelvic": r"pelvis|pelvic", "buttock": r"buttocks?", "flank": r"flank|loin",
}
_HURT = r"(?:hurting|hurts|hurt|sore|painful|aching|aches|throbbing)"
_WHOSE = r"(?:my |your |the |his |her |both )?(?:left |right |lower |upper )?"


def _pain_pattern(part: str) -> str:
    """"knee pain", "pain in my left knee", "my knees hurt", "sore knee", "twisted my ankle and it hurts"."""
    return (rf"(?:{part}) (?:pains?|aches?|ache)|pains? (?:\w+ ){{0,2}}?(?:in|on|around|at) {_WHOSE}(?:{part})\b(?! of)"
            rf"|{_WHOSE}(?:{part})(?:'s)? (?:is |are |been |has been |have been |feels |feel |keeps |gets |started )?{_INTENS}{_HURT}"
            rf"|(?:sore|painful|aching) (?:{part})\b"
            rf"|(?:{part}) on {_WHOSE}(?:foot|hand) (?:is |are |has been |feels )?{_INTENS}{_HURT}"
            rf"|(?:{part})\b(?: \w+){{0,3}}? (?:and |but )?(?:it|that)(?:'s| is)? (?:really |still |kind of |quite |very )?{_HURT}")


BODY_PAIN: dict[str, str] = {f"{name} pain": _pain_pattern(rx) for name, rx in _PARTS.items()}
# "I hurt my right knee playing football" (tried after the pains: "twisted my ankle and it hurts" is a pain)
BODY_INJURY: dict[str, str] = {f"{name} injury": rf"(?:hurt|injured|twisted|sprained|banged|bashed|knocked|jarred) {_WHOSE}(?:{rx})\b"
                               for name, rx in _PARTS.items() if name not in ("abdominal", "eye", "tooth", "testicular", "pelvic")}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "difficulty": ("trouble", "problems", "problem", "hard", "struggle", "struggling", "difficult"),
    "swelling": ("swollen", "swell", "swelled", "puffy"),
    "worried": ("scared", "afraid", "concerned", "frightened", "worry", "anxious", "worrying"),
    "elevation": ("raised", "raise", "elevate", "elevated", "elevating", "up"),
    "physiotherapy": ("physio", "physiotherapist"),
    "gargles": ("gargle", "gargling"),
    "cessation": ("stop", "stopping", "quit", "quitting", "give", "giving"),
    "normal": ("fine", "okay", "right", "alright", "healthy", "good"),
    "looks": ("look", "looking", "seem", "seems", "appear", "appears"),
    "surgery": ("operation", "operations", "operated", "surgical"),
    "exertion": ("exercise", "exercising", "walk", "walking", "run", "running", "stairs", "exert"),
    "meals": ("eat", "eating", "meal", "food"),
    "lying": ("lie", "lay", "laying"),
    "movement": ("move", "moving", "bend", "turn"),
    "breathing": ("breath", "breathe", "cough"),
    "morning": ("mornings",),
    "productive": ("phlegm", "sputum", "mucus"),
    "heartburn": ("reflux", "acid", "burning"),
    "indigestion": ("dyspepsia",),
    "hoarse": ("voice",),
    "swallowing": ("swallow", "swallowed"),
    "hearing": ("hear",),
    "tinnitus": ("ringing", "buzzing"),
    "discharge": ("discharging", "leaking", "oozing", "weeping", "pus", "gunk", "sticky", "crusty"),
    "nosebleeds": ("nosebleed", "bleed", "bleeding", "bleeds"),
    "watery": ("watering", "streaming"),
    "red": ("bloodshot", "pink"),
    "rectal": ("bottom", "rectum", "anus", "passage"),
    "bleeding": ("bleed", "bleeds", "bled", "blood"),
    "jaundice": ("yellow", "jaundiced"),
    "urgency": ("urge", "urgently", "rush", "rushing", "hurry"),
    "abnormal": ("unusual", "funny", "smelly", "strange"),
    "radiating": ("goes", "going", "went", "spreads", "spreading", "spread", "radiates", "travels", "travelling", "shoots", "shooting", "moves", "moving"),
    "relieved": ("goes", "away", "better", "eases", "eased", "settles", "settled", "stops", "stopped"),
    "tight": ("tightness", "pressure", "squeezing", "squeeze", "crushing", "tightening"),
    "ex-smoker": ("smoke", "smoked", "smoking", "stopped", "quit", "gave"),
    "stopped": ("quit", "gave", "given"),
    "active": ("moving", "mobile"),
    "heat": ("hot", "warm"),
    "anhedonia": ("enjoy", "interest", "bothered"),
    "waking": ("wake", "waking", "woke"),
    "concentration": ("concentrate", "concentrating", "focus", "focusing"),
    "suicidal": ("suicide", "die", "dead", "kill", "end", "ending"),
    "glands": ("gland",),
    "tried": ("gave", "given", "taken", "took", "used", "using", "try", "trying", "taking"),
    "relief": ("brought", "settled", "eased"),
    "appetite": ("eating", "eat", "food", "hungry"),
    "pulling": ("pull", "pulls", "pulled", "tugging", "rubbing"),
    "drowsiness": ("drowsy", "floppy"),
    "vaccinations": ("vaccinations", "immunisations", "immunizations", "jabs"),
    "vertigo": ("spinning", "spin", "room"),
    "clicking": ("click", "clicks", "clicky"),
    "locking": ("lock", "locks", "locked", "stuck"),
    "lasting": ("last", "lasts", "lasted", "each"),
    "anxious": ("nervous", "edge", "panicky", "panicked"),
    "limp": ("limping", "limps"),
    "injury": ("hurt", "injured", "twisted", "sprained", "banged", "bashed", "knocked"),
    "weight": ("stone", "kilos", "kg", "pounds", "lbs"),
    "safety": ("999", "111", "ambulance", "immediately", "straight", "a&e"),
    "nocturia": ("night",),
    "incontinence": ("leak", "leaking", "wet", "hold"),
    "periods": ("period",),
    "fainting": ("faint", "fainted", "passed", "blacked", "blackout", "blackouts", "collapsed"),
    "tremor": ("trembling", "tremble", "shaky", "shaking", "tremors"),
    "seizures": ("seizure", "fits", "fit", "convulsions"),
    "memory": ("forgetful", "forgetting"),
    "insomnia": ("sleep", "sleeping"),
    "thirst": ("thirsty",),
    "excessive": ("very", "really", "always", "more"),
    "bruising": ("bruise", "bruises", "bruised"),
    "stiffness": ("stiff",),
    "cramps": ("cramp", "cramping"),
    "testicular": ("testicle", "testicles", "testis", "testes"),
    "flank": ("loin", "side"),
    "pelvic": ("pelvis",),
    "tooth": ("teeth",),
    "foot": ("feet",),
    "calf": ("calves",),
}
