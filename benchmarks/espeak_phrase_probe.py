"""Eight everyday clinic phrases spoken by three espeak-ng voices, transcribed by each model named on
the command line: a quick probe for over-medicalised output ("deep breath" -> a drug name). Crude WER:
lower-cased, punctuation removed, no number or unit normalization (so "500 mg" counts against a model that
heard "500 milligrams"). Usage: python benchmarks/espeak_phrase_probe.py tiny.en tiny.en-medical"""
import subprocess, sys, tempfile
tmp = tempfile.mkdtemp()
from faster_whisper import WhisperModel
from medasr.asr.models import resolve_model
from medasr.config import Settings
phr = ["The patient is stable.", "Please take a deep breath.", "The patient feels much better today.", "Start metformin 500 milligrams twice daily.",
       "I will see you again next week.", "Can you describe the pain to me?", "She has been coughing for three days.", "Blood pressure is fine, no changes."]
voices = [("en-us",150), ("en",170), ("en-gb-x-gbcwmd+m3",175)]
wavs = []
for i,p in enumerate(phr):
    for v,r in voices:
        w=f"{tmp}/{i}_{v}.wav"
        subprocess.run(["espeak-ng","-v",v,"-s",str(r),"-w",w,p],check=True)
        wavs.append((p,v,w))
import jiwer, re
norm=lambda s: re.sub(r"[^a-z0-9 ]","",s.lower()).split()
for name in sys.argv[1:]:
    m = WhisperModel(str(resolve_model(name, Settings.resolve({})).path), device="cpu", compute_type="int8", cpu_threads=1)
    errs=0; bad=[]
    for p,v,w in wavs:
        t=" ".join(s.text for s in m.transcribe(w, beam_size=5, language="en", vad_filter=True)[0]).strip()
        e=jiwer.wer(" ".join(norm(p))," ".join(norm(t)) or "x")
        errs+=e
        if e>0: bad.append(f"{v}: {t}")
    print(name, "mean WER %.3f"%(errs/len(wavs)), "| wrong:", len(bad)); [print("   ",b) for b in bad[:8]]
