"""Curated clinical lists we write ourselves: abbreviations with expansions, units, routes,
dose forms, frequencies, and a few common labs, procedures, anatomy and symptoms.

Each row of ``_TABLE``: ``written | kind | spoken forms (first is the usual one; ';'-separated)``.
Abbreviations listed here are expanded by :func:`medasr.vocab.normalize.to_spoken` only where
they appear exactly as written (case-sensitive), so English words such as "bid" or "ed" stay.
"""

from __future__ import annotations

_TABLE = """
b.i.d. | frequency | twice daily; B I D; twice a day
BID | frequency | twice daily; B I D
t.i.d. | frequency | three times daily; T I D; three times a day
TID | frequency | three times daily; T I D
q.i.d. | frequency | four times daily; Q I D; four times a day
QID | frequency | four times daily; Q I D
q.d. | frequency | once daily; Q D; daily
QD | frequency | once daily; Q D
q.h.s. | frequency | at bedtime; Q H S
qhs | frequency | at bedtime; Q H S
q.a.m. | frequency | every morning; Q A M
a.c. | frequency | before meals; A C
p.c. | frequency | after meals; P C
PRN | frequency | as needed; P R N
p.r.n. | frequency | as needed; P R N
prn | frequency | as needed; P R N
stat | frequency | immediately; stat
once daily | frequency | once daily; once a day
twice daily | frequency | twice daily; twice a day
every morning | frequency | every morning
at bedtime | frequency | at bedtime; at night
weekly | frequency | weekly; once a week
as needed | frequency | as needed
PO | route | by mouth; P O; orally
p.o. | route | by mouth; P O
IV | route | I V; intravenously; intravenous
IM | route | I M; intramuscularly; intramuscular
SC | route | subcutaneously; S C; subcutaneous
subcut | route | subcutaneously; subcut
SL | route | sublingually; S L; sublingual
PR | route | rectally; P R; per rectum
NPO | abbreviation | nothing by mouth; N P O
topical | route | topical; topically
inhaled | route | inhaled; by inhalation
intranasal | route | intranasal; in the nose
transdermal | route | transdermal
ophthalmic | route | ophthalmic; in the eye
tablet | dose_form | tablet; tab
capsule | dose_form | capsule; cap
injection | dose_form | injection
oral solution | dose_form | oral solution
suspension | dose_form | suspension
syrup | dose_form | syrup
cream | dose_form | cream
ointment | dose_form | ointment
patch | dose_form | patch
inhaler | dose_form | inhaler; puffer
eye drops | dose_form | eye drops
suppository | dose_form | suppository
nasal spray | dose_form | nasal spray
ER | dose_form | extended release; E R
XR | dose_form | extended release; X R
XL | dose_form | extended release; X L
SR | dose_form | sustained release; S R
SOB | abbreviation | shortness of breath; S O B
DOE | abbreviation | dyspnea on exertion; D O E
HTN | abbreviation | hypertension; H T N
T2DM | abbreviation | type two diabetes mellitus; T two D M
DM | abbreviation | diabetes mellitus; D M
CHF | abbreviation | congestive heart failure; C H F
CAD | abbreviation | coronary artery disease; C A D
COPD | abbreviation | C O P D; chronic obstructive pulmonary disease
CKD | abbreviation | C K D; chronic kidney disease
AKI | abbreviation | A K I; acute kidney injury
UTI | abbreviation | U T I; urinary tract infection
URI | abbreviation | U R I; upper respiratory infection
MI | abbreviation | M I; myocardial infarction
CVA | abbreviation | C V A; stroke
TIA | abbreviation | T I A; transient ischemic attack
DVT | abbreviation | D V T; deep vein thrombosis
GERD | abbreviation | gerd; G E R D; gastroesophageal reflux disease
BPH | abbreviation | B P H; benign prostatic hyperplasia
AFib | abbreviation | A fib; atrial fibrillation
HIV | abbreviation | H I V
HbA1c | lab | H B A one C; hemoglobin A one C; A one C
A1c | lab | A one C
CBC | lab | C B C; complete blood count
BMP | lab | B M P; basic metabolic panel
CMP | lab | C M P; comprehensive metabolic panel
LFTs | lab | L F Ts; liver function tests
TSH | lab | T S H; thyroid stimulating hormone
INR | lab | I N R
PTT | lab | P T T
BUN | lab | B U N; blood urea nitrogen
eGFR | lab | E G F R; estimated G F R
LDL | lab | L D L
HDL | lab | H D L
WBC | lab | W B C; white blood cell count
Hgb | lab | hemoglobin; H G B
PSA | lab | P S A
ABG | lab | A B G; arterial blood gas
SpO2 | lab | S P O two; oxygen saturation; sats
BP | lab | blood pressure; B P
HR | lab | heart rate; H R
RR | lab | respiratory rate; R R
BMI | lab | B M I; body mass index
troponin | lab | troponin
creatinine | lab | creatinine
potassium | lab | potassium
sodium | lab | sodium
lipid panel | lab | lipid panel
urinalysis | lab | urinalysis
ECG | procedure | E C G; electrocardiogram
EKG | procedure | E K G; electrocardiogram
CXR | procedure | chest X ray; C X R
CT | procedure | C T; CAT scan
MRI | procedure | M R I
CABG | procedure | cabbage; C A B G; coronary artery bypass graft
PCI | procedure | P C I; percutaneous coronary intervention
ORIF | procedure | O R I F; open reduction internal fixation
I&D | procedure | I and D; incision and drainage
echocardiogram | procedure | echocardiogram; echo
colonoscopy | procedure | colonoscopy
endoscopy | procedure | endoscopy
appendectomy | procedure | appendectomy
cholecystectomy | procedure | cholecystectomy
spirometry | procedure | spirometry
ultrasound | procedure | ultrasound
NKDA | abbreviation | no known drug allergies; N K D A
h/o | abbreviation | history of
c/o | abbreviation | complains of
s/p | abbreviation | status post
w/o | abbreviation | without
y/o | abbreviation | year old
PMH | abbreviation | past medical history; P M H
HPI | abbreviation | history of present illness; H P I
f/u | abbreviation | follow up
N/V | abbreviation | nausea and vomiting
ICU | abbreviation | I C U; intensive care unit
OTC | abbreviation | over the counter; O T C
abdomen | anatomy | abdomen
thorax | anatomy | thorax
sternum | anatomy | sternum
femur | anatomy | femur
tibia | anatomy | tibia
clavicle | anatomy | clavicle
lumbar spine | anatomy | lumbar spine
cervical spine | anatomy | cervical spine
left ventricle | anatomy | left ventricle
duodenum | anatomy | duodenum
pancreas | anatomy | pancreas
thyroid | anatomy | thyroid
prostate | anatomy | prostate
chest pain | symptom | chest pain
shortness of breath | symptom | shortness of breath
dyspnea | symptom | dyspnea
palpitations | symptom | palpitations
cough | symptom | cough
fever | symptom | fever
headache | symptom | headache
dizziness | symptom | dizziness
nausea | symptom | nausea
vomiting | symptom | vomiting
diarrhea | symptom | diarrhea
fatigue | symptom | fatigue
wheezing | symptom | wheezing
abdominal pain | symptom | abdominal pain
dysuria | symptom | dysuria
hematuria | symptom | hematuria
syncope | symptom | syncope
edema | symptom | edema; swelling
"""

# written unit -> (singular words, plural words); used after a number only
UNITS: dict[str, tuple[str, str]] = {
    "mg": ("milligram", "milligrams"),
    "mcg": ("microgram", "micrograms"),
    "µg": ("microgram", "micrograms"),
    "g": ("gram", "grams"),
    "kg": ("kilogram", "kilograms"),
    "mL": ("milliliter", "milliliters"),
    "ml": ("milliliter", "milliliters"),
    "L": ("liter", "liters"),
    "units": ("unit", "units"),
    "IU": ("international unit", "international units"),
    "mmHg": ("millimeter of mercury", "millimeters of mercury"),
    "mEq": ("milliequivalent", "milliequivalents"),
    "mmol": ("millimole", "millimoles"),
    "mg/dL": ("milligram per deciliter", "milligrams per deciliter"),
    "mmol/L": ("millimole per liter", "millimoles per liter"),
    "mmol/mol": ("millimole per mole", "millimoles per mole"),
    "µmol/L": ("micromole per liter", "micromoles per liter"),
    "umol/L": ("micromole per liter", "micromoles per liter"),
    "g/dL": ("gram per deciliter", "grams per deciliter"),
    "g/L": ("gram per liter", "grams per liter"),
    "mg/L": ("milligram per liter", "milligrams per liter"),
    "ng/L": ("nanogram per liter", "nanograms per liter"),
    "ng/mL": ("nanogram per milliliter", "nanograms per milliliter"),
    "pg/mL": ("picogram per milliliter", "picograms per milliliter"),
    "mIU/L": ("milliunit per liter", "milliunits per liter"),
    "U/L": ("unit per liter", "units per liter"),
    "mL/min": ("milliliter per minute", "milliliters per minute"),
    "mL/h": ("milliliter per hour", "milliliters per hour"),
    "mg/kg": ("milligram per kilogram", "milligrams per kilogram"),
    "bpm": ("beat per minute", "beats per minute"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "puffs": ("puff", "puffs"),
    "tabs": ("tablet", "tablets"),
    "%": ("percent", "percent"),
}


def _parse() -> list[tuple[str, str, tuple[str, ...]]]:
    rows = []
    for line in _TABLE.strip().splitlines():
        written, kind, spoken = (p.strip() for p in line.split("|"))
        rows.append((written, kind, tuple(s.strip() for s in spoken.split(";") if s.strip())))
    return rows


CURATED: list[tuple[str, str, tuple[str, ...]]] = _parse()

# Abbreviations that to_spoken expands in running text: written (exact case) -> spoken forms.
# Plain words (tablet, cough) are not abbreviations and are left alone.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    w: s for w, k, s in CURATED if w != s[0] and (not w.isalpha() or not w.islower() or "." in w) and " " not in w
}

# Abbreviations said as letters: written -> letters ("HbA1c" -> "H B A one C"); to_written reverses.
LETTER_SPOKEN: dict[str, str] = {}
for _w, _k, _s in CURATED:
    for _form in _s:
        _toks = _form.split()
        if len(_toks) >= 2 and all(len(t) == 1 and t.isupper() or t in ("one", "two") for t in _toks):
            LETTER_SPOKEN.setdefault(_w, _form)
            break

UNIT_ENTRIES: list[tuple[str, tuple[str, ...]]] = [(u, (p, s)) for u, (s, p) in UNITS.items()]
