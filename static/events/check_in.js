// The door: live search, check-in and walk-ins (templates/events/check_in.html).
(function () {
  // The page's addresses come from the script tag's data-* attributes (no inline script, so
  // the Content-Security-Policy can forbid them all).
  const config = document.currentScript.dataset;
  const searchUrl = config.searchUrl;
  const partyUrl = config.partyUrl.replace(/0\/$/, "");
  const csrf = document.querySelector("#walk-in-form [name=csrfmiddlewaretoken]").value;
  const results = document.getElementById("results");
  const status = document.getElementById("status");
  let timer = null;

  function setCounts(c) {
    document.getElementById("count-expected").textContent = c.expected;
    document.getElementById("count-arrived").textContent = c.arrived;
    document.getElementById("count-walk-ins").textContent = c.walk_ins;
  }
  function text(tag, value, cls) {
    const el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }
  function render(list) {
    results.replaceChildren();
    if (!list.length) { results.append(text("p", "Nobody found.", "muted")); return; }
    for (const r of list) {
      const row = document.createElement("div");
      row.className = "card party" + (r.checked_in ? " in" : "");
      row.dataset.id = r.id;
      const who = document.createElement("div");
      who.className = "who";
      who.append(text("strong", r.name));
      const details = [r.email, "party of " + r.party_size, r.table && ("table " + r.table), r.dietary, r.walk_in && "walk-in"].filter(Boolean).join(" · ");
      who.append(text("div", details, "muted"));
      if (r.guests) who.append(text("div", "Guests: " + r.guests, "muted"));
      row.append(who);
      if (r.checked_in) {
        row.append(text("span", r.checked_in + " in"));
        const undo = text("button", "Undo", "secondary");
        undo.onclick = () => post(r.id, {undo: "1"});
        row.append(undo);
      } else {
        const count = document.createElement("input");
        count.type = "number"; count.min = 1; count.max = 50; count.value = r.party_size;
        count.setAttribute("aria-label", "How many came");
        const go = text("button", "Check in");
        go.onclick = () => post(r.id, {count: count.value});
        row.append(count, go);
      }
      results.append(row);
    }
  }
  async function search() {
    const q = document.getElementById("search").value;
    const response = await fetch(searchUrl + "?q=" + encodeURIComponent(q), {credentials: "same-origin"});
    const data = await response.json();
    render(data.results);
    setCounts(data.counts);
  }
  async function post(id, fields) {
    const body = new URLSearchParams(fields);
    const response = await fetch(partyUrl + id + "/", {
      method: "POST", body, credentials: "same-origin", headers: {"X-CSRFToken": csrf},
    });
    const data = await response.json();
    status.textContent = data.message || data.error || "";
    if (data.counts) setCounts(data.counts);
    search();
  }
  document.getElementById("search").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  document.getElementById("walk-in-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    const response = await fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"});
    const data = await response.json();
    if (response.ok) {
      status.textContent = data.rsvp.name + " checked in as a walk-in.";
      setCounts(data.counts);
      form.reset();
      document.getElementById("search").value = data.rsvp.name;
      search();
    } else {
      status.textContent = data.error;
    }
  });
  search();
  setInterval(search, 15000);  // live counts while other organizers check people in
})();
