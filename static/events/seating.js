// The seating chart (templates/events/seating.html): drag a party onto a table, or tap a
// party and then a table. Each move is one POST to the page (the server refuses a table
// without enough seats, with the figures); the chart is then read again from the server.
(function () {
  "use strict";
  const chart = document.getElementById("seating-chart");
  const status = document.getElementById("status");
  if (!chart) return;
  const url = chart.dataset.url;
  let selected = null;
  document.documentElement.classList.add("js");

  function say(text, ok) {
    status.textContent = text;
    status.className = ok ? "ok" : "error";
    status.setAttribute("role", ok ? "status" : "alert");
  }

  function select(party) {
    if (selected) {
      selected.classList.remove("selected");
      selected.querySelector(".pick").setAttribute("aria-pressed", "false");
    }
    selected = party && party !== selected ? party : null;
    document.body.classList.toggle("picking", Boolean(selected));
    if (selected) {
      selected.classList.add("selected");
      selected.querySelector(".pick").setAttribute("aria-pressed", "true");
      say("Now tap the table for " + selected.dataset.name + ".", true);
    }
  }

  async function reload() {
    const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("seating-chart");
    if (fresh) chart.replaceChildren(...fresh.childNodes);
  }

  async function seat(rsvp, table) {
    const token = chart.querySelector("input[name=csrfmiddlewaretoken]");
    const body = new FormData();
    body.append("csrfmiddlewaretoken", token ? token.value : "");
    body.append("rsvp", rsvp);
    body.append("table", table);
    let answer;
    try {
      const response = await fetch(url, {
        method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" },
      });
      answer = await response.json();
    } catch (error) {
      say("The move did not reach the server: check the connection and try again.", false);
      return;
    }
    say(answer.message, answer.ok);
    selected = null;
    document.body.classList.remove("picking");
    await reload();
  }

  chart.addEventListener("dragstart", (event) => {
    const party = event.target.closest(".party");
    if (!party) return;
    event.dataTransfer.setData("text/plain", party.dataset.rsvp);
    event.dataTransfer.effectAllowed = "move";
  });
  chart.addEventListener("dragover", (event) => {
    const drop = event.target.closest(".drop");
    if (!drop) return;
    event.preventDefault();
    drop.classList.add("target");
  });
  chart.addEventListener("dragleave", (event) => {
    const drop = event.target.closest(".drop");
    if (drop && !drop.contains(event.relatedTarget)) drop.classList.remove("target");
  });
  chart.addEventListener("drop", (event) => {
    const drop = event.target.closest(".drop");
    if (!drop) return;
    event.preventDefault();
    drop.classList.remove("target");
    const rsvp = event.dataTransfer.getData("text/plain");
    if (rsvp) seat(rsvp, drop.dataset.table);
  });
  chart.addEventListener("click", (event) => {
    if (event.target.closest("form.move")) return;  // the list and its button work as they are
    const pick = event.target.closest(".pick");
    if (pick) {
      select(pick.closest(".party"));
      return;
    }
    const drop = event.target.closest(".drop");
    if (drop && selected) seat(selected.dataset.rsvp, drop.dataset.table);
  });
})();
