// The door: live search, check-in, walk-ins and QR scanning (templates/events/check_in.html).
//
// Every check-in is a "tap" with a key of its own (attempt). Taps wait in a queue and are sent
// one after another; when the connection drops, the page says so and sends them again when it
// is back. The server knows each key, so a tap sent twice counts once (events/services/checkin.py).
(function () {
  // The page's addresses come from the script tag's data-* attributes (no inline script, so
  // the Content-Security-Policy can forbid them all).
  const config = document.currentScript.dataset;
  const partyUrl = config.partyUrl.replace(/0\/$/, "");
  const csrf = document.querySelector("#walk-in-form [name=csrfmiddlewaretoken]").value;
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  const offline = document.getElementById("offline");
  const searchBox = document.getElementById("search");
  const RETRY_MS = 3000;
  const queue = [];
  let sending = false;
  let retryTimer = null;
  let searchTimer = null;

  function key() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function say(message, kind) {
    status.textContent = message;
    status.className = "msg " + kind;
    status.hidden = !message;
    // Said where the eye is: a phone scrolled down to the walk-in form sees it too.
    if (message && status.getBoundingClientRect().top < 0) status.scrollIntoView({block: "start"});
  }
  function setOffline(isOffline) {
    const waiting = queue.length;
    offline.textContent = "No connection — retrying…" +
      (waiting ? ` (${waiting} check-in${waiting > 1 ? "s" : ""} waiting to send)` : "");
    offline.hidden = !isOffline;
  }
  function setCounts(c) {
    document.getElementById("count-expected").textContent = c.expected;
    document.getElementById("count-arrived").textContent = c.arrived;
    document.getElementById("count-walk-ins").textContent = c.walk_ins;
    document.getElementById("count-in-room").textContent = c.in_room;
  }
  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  // --- The list of parties ---------------------------------------------------------------
  function partyCard(r) {
    const row = document.createElement("div");
    row.className = "card party" + (r.checked_in ? " in" : "");
    row.dataset.id = r.id;
    const who = document.createElement("div");
    who.className = "who";
    who.append(text("strong", r.name));
    const details = [r.email, "party of " + r.party_size, r.table && ("table " + r.table),
      r.dietary, r.walk_in && "walk-in"].filter(Boolean).join(" · ");
    who.append(text("div", details, "muted"));
    if (r.guests) who.append(text("div", "Guests: " + r.guests, "muted"));
    const actions = document.createElement("div");
    actions.className = "actions";
    if (r.checked_in) {
      actions.append(text("span", r.checked_in + " of " + r.party_size + " in", "arrived"));
      const undo = text("button", "Undo", "secondary");
      undo.type = "button";
      undo.onclick = () => tap(partyUrl + r.id + "/", {undo: "1"}, r.name);
      actions.append(undo);
    } else {
      const count = document.createElement("input");
      count.type = "number"; count.min = 1; count.max = 50; count.value = r.party_size;
      count.inputMode = "numeric";
      count.setAttribute("aria-label", "How many came");
      const go = text("button", "Check in");
      go.type = "button";
      go.onclick = () => {
        go.disabled = true;  // one tap, one check-in: a second tap would only say "already"
        row.classList.add("waiting");
        tap(partyUrl + r.id + "/", {count: count.value}, r.name);
      };
      actions.append(count, go);
    }
    row.append(who, actions);
    return row;
  }
  function render(list) {
    results.replaceChildren();
    if (!list.length) { results.append(text("p", "Nobody found.", "muted")); return; }
    for (const r of list) results.append(partyCard(r));
  }
  async function search() {
    const q = searchBox.value;
    try {
      const response = await fetch(config.searchUrl + "?q=" + encodeURIComponent(q),
        {credentials: "same-origin"});
      const data = await response.json();
      if (queue.length) flush(); else setOffline(false);
      if (data.error) say(data.error, "error");
      render(data.results);
      setCounts(data.counts);
    } catch (error) {
      setOffline(true);
    }
  }

  // --- Taps: queued, sent in turn, sent again after a dropped connection ------------------
  function tap(url, fields, name, kind) {
    queue.push({url, fields: {...fields, attempt: key()}, name, kind: kind || "party"});
    if (!offline.hidden) {
      setOffline(true);
      say("Waiting for the connection to send: " + name + ".", "notice");
    }
    flush();
  }
  async function flush() {
    if (sending) return;
    sending = true;
    clearTimeout(retryTimer);
    try {
      while (queue.length) {
        const item = queue[0];
        let response;
        try {
          response = await fetch(item.url, {
            method: "POST", body: new URLSearchParams(item.fields), credentials: "same-origin",
            headers: {"X-CSRFToken": csrf},
          });
        } catch (error) {
          response = null;  // no connection: the tap stays first in line
        }
        if (response === null || [502, 503, 504].includes(response.status)) {
          setOffline(true);
          retryTimer = setTimeout(flush, RETRY_MS);
          return;
        }
        queue.shift();
        await answered(item, response);
      }
      setOffline(false);
    } finally {
      sending = false;
    }
  }
  async function answered(item, response) {
    let data = {};
    try { data = await response.json(); } catch (error) { data = {}; }
    if (response.status === 403) {
      say("You are signed out: sign in again, then check " + item.name + " in.", "error");
    } else if (data.error) {
      say(data.error, "error");
    } else if (data.message) {
      say(data.message, response.ok ? "ok" : "notice");
    } else {
      say("Something went wrong with " + item.name + ". Try again.", "error");
    }
    if (data.counts) setCounts(data.counts);
    if (item.kind === "walk-in" && !response.ok) refill(item.fields);
    if (data.rsvp && item.kind === "scan") {
      searchBox.value = "";
      render([data.rsvp]);  // the scanned party, with Undo at hand
    } else if (data.rsvp && item.kind === "walk-in") {
      searchBox.value = data.rsvp.name;
      search();
    } else {
      search();
    }
  }
  function refill(fields) {
    // A refused walk-in: what was typed comes back, to correct and send again.
    const form = document.getElementById("walk-in-form");
    for (const [name, value] of Object.entries(fields)) {
      if (form.elements[name] && name !== "csrfmiddlewaretoken") form.elements[name].value = value;
    }
    document.getElementById("walk-in").open = true;
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", () => setOffline(true));

  searchBox.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 200);
  });
  document.getElementById("walk-in-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const form = e.target;
    const fields = Object.fromEntries(new FormData(form));
    const name = [fields.first_name, fields.last_name].filter(Boolean).join(" ");
    tap(form.action, fields, (name || "the walk-in") + " (walk-in)", "walk-in");
    form.reset();
  });

  // --- QR codes: the phone's camera; the browser's BarcodeDetector, or jsQR -----------------
  const startButton = document.getElementById("scan-start");
  const scanner = document.getElementById("scanner");
  const video = document.getElementById("camera");
  const canvas = document.createElement("canvas");
  const seen = new Map();  // code -> when last sent: a code held in view is sent once
  const SEEN_MS = 4000;
  let stream = null;
  let detector = null;
  let scanTimer = null;

  async function makeDetector() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const formats = await BarcodeDetector.getSupportedFormats();
      return formats.includes("qr_code") ? new BarcodeDetector({formats: ["qr_code"]}) : null;
    } catch (error) {
      return null;
    }
  }
  async function readFrame() {
    if (!video.videoWidth) return null;
    if (detector) {
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    }
    if (typeof jsQR !== "function") return null;
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext("2d", {willReadFrequently: true});
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    const code = jsQR(image.data, image.width, image.height, {inversionAttempts: "attemptBoth"});
    return code ? code.data : null;
  }
  async function scanLoop() {
    if (!stream) return;
    let value = null;
    try { value = await readFrame(); } catch (error) { value = null; }
    value = value && value.trim();
    const queued = queue.some((item) => item.kind === "scan" && item.fields.token === value);
    if (value && !queued && !(seen.has(value) && Date.now() - seen.get(value) < SEEN_MS)) {
      seen.set(value, Date.now());
      say("Code read: checking the guest in…", "notice");
      tap(config.scanUrl, {token: value}, "the scanned guest", "scan");
    }
    scanTimer = setTimeout(scanLoop, 150);
  }
  async function startScan() {
    try {
      stream = await navigator.mediaDevices.getUserMedia(
        {video: {facingMode: "environment"}, audio: false});
    } catch (error) {
      say("The camera could not be opened (" + error.name + "). Allow the camera for this " +
          "page, or search by name.", "error");
      return;
    }
    detector = await makeDetector();
    video.srcObject = stream;
    await video.play().catch(() => {});
    scanner.hidden = false;
    startButton.hidden = true;
    scanLoop();
  }
  function stopScan() {
    clearTimeout(scanTimer);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    scanner.hidden = true;
    startButton.hidden = false;
  }
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    startButton.hidden = false;
    startButton.addEventListener("click", startScan);
    document.getElementById("scan-stop").addEventListener("click", stopScan);
  }

  search();
  setInterval(() => { if (!sending) search(); }, 15000);  // live counts from other organizers
})();
