"""The Live dictation tab's browser side when the app is mounted on ``medasr serve``: the page
captures the microphone itself and streams it over ``WS /v1/stream``, the same protocol,
admission, lag reports and flushes as every other live client.

Gradio's own streaming microphone sends each 0.1 s chunk as an upload and drops the chunks
that arrive while its stream connection is "waiting" between submissions: on a busy machine
that lost about one chunk in eight (and reordered some), enough to garble the words. A
websocket drops nothing: audio captured before the server's ``ready`` is queued and sent
then. The browser's voice processing (echo cancellation, noise suppression, gain control),
tuned for calls, is switched off: Whisper wants the speech as spoken.

When the session's ``final`` arrives, the page puts its session id in a hidden textbox and
presses a hidden button; the app then fetches that session's transcript from the server's
record and shows it like any other (corrections, note, downloads).
"""

from __future__ import annotations

CSS = "#live-session, #live-finish { display: none !important; }"

HTML = """<div id="live-controls" style="display:flex; gap:0.75em; align-items:center; margin:0.5em 0">
<button id="live-start" class="lg primary" type="button">Start dictation</button>
<button id="live-stop" class="lg secondary" type="button" disabled>Stop</button>
<span id="live-status" aria-live="polite"></span></div>"""

JS = r"""<script>
(() => {
  let ws = null, ctx = null, proc = null, mic = null, committed = "", ready = false, ending = false, queued = [];
  const q = (sel) => document.querySelector(sel);
  const show = (text) => { const box = q("#live textarea"); if (box) box.value = text; };
  const status = (text) => { const s = q("#live-status"); if (s) s.textContent = text; };
  const buttons = (live) => { q("#live-start").disabled = live; q("#live-stop").disabled = !live; };
  const url = () => {
    const root = location.pathname.replace(/\/ui(\/.*)?$/, "");
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + root + "/v1/stream";
  };
  const release = () => {
    if (proc) proc.disconnect();
    if (mic) mic.getTracks().forEach((t) => t.stop());
    if (ctx) ctx.close();
    proc = mic = ctx = null;
  };
  const finish = (id) => {
    const box = q("#live-session textarea");
    box.value = id;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(() => q("#live-finish").click(), 200);
  };
  async function start() {
    if (ws) return;
    committed = ""; ready = false; ending = false; queued = [];
    show(""); status("starting the microphone…"); buttons(true);
    try {
      mic = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    } catch (e) { status("no microphone: " + e.message); buttons(false); return; }
    ctx = new AudioContext();
    ws = new WebSocket(url());
    ws.onopen = () => ws.send(JSON.stringify({ type: "config", sample_rate: Math.round(ctx.sampleRate), encoding: "f32le" }));
    ws.onmessage = (ev) => {
      const m = JSON.parse(ev.data);
      if (m.type === "ready") {
        ready = true; queued.forEach((b) => ws.send(b)); queued = []; status("listening");
        if (ending) ws.send(JSON.stringify({ type: "end" }));
      }
      else if (m.type === "committed") { committed += m.text; show(committed.trim()); }
      else if (m.type === "partial") { show((committed + " " + m.text).trim()); }
      else if (m.type === "lag") { status(m.behind ? "the server is " + m.lag_s.toFixed(1) + " s behind" : "listening"); }
      else if (m.type === "error") { status(m.message); }
      else if (m.type === "final") { status("done"); finish(m.session_id); }
    };
    ws.onclose = () => { release(); ws = null; buttons(false); };
    const src = ctx.createMediaStreamSource(mic);
    proc = ctx.createScriptProcessor(4096, 1, 1);
    proc.onaudioprocess = (e) => {
      const frame = new Float32Array(e.inputBuffer.getChannelData(0)).buffer;
      if (ready && ws && ws.readyState === 1) ws.send(frame); else if (ws) queued.push(frame);
    };
    src.connect(proc); proc.connect(ctx.destination);
  }
  function stop() {
    if (!ws) return;
    release();
    status("finishing…");
    if (ready && ws.readyState === 1) ws.send(JSON.stringify({ type: "end" })); else ending = true;
  }
  document.addEventListener("click", (e) => {
    if (e.target.closest("#live-start")) start();
    else if (e.target.closest("#live-stop")) stop();
  });
})();
</script>"""
