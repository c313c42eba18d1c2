// The segment builder's count, kept up to date as the criteria change: the form's fields are
// sent to the count page, which answers {"count": n, "criteria": [...]} or {"errors": {...}}.
// Without scripts, the "Count" button shows the page again with the count.
(function () {
  "use strict";
  const box = document.getElementById("segment-count-box");
  if (!box) return;
  const form = box.closest("form");
  const shown = document.getElementById("segment-count");
  const words = document.getElementById("segment-criteria");
  if (!form || !shown) return;
  let timer = null;
  let asked = 0;
  async function count() {
    const mine = ++asked;
    const data = new FormData(form);
    data.delete("_count");
    shown.textContent = "counting…";
    try {
      const response = await fetch(box.dataset.countUrl, {
        method: "POST",
        body: data,
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      const answer = await response.json();
      if (mine !== asked) return;
      if (answer.count !== undefined) {
        shown.textContent = answer.count.toLocaleString("en-US");
        if (words) words.textContent = answer.criteria.length ? answer.criteria.join("; ") : "No criteria: every donor.";
      } else {
        shown.textContent = "–";
        const problems = Object.values(answer.errors || {}).flat();
        if (words) words.textContent = problems.join(" ");
      }
    } catch (error) {
      if (mine === asked) shown.textContent = "–";
    }
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(count, 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
