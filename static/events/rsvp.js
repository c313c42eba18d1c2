// The RSVP form (templates/events/_rsvp_form.html). A "No" brings nobody, so the party's
// fields hide and what was typed in them is cleared (the server clears it too on a "No");
// switching back before sending brings the typed text back. Without this script every field
// simply stays on screen.
(function () {
  const form = document.getElementById("rsvp-form");
  const party = document.getElementById("party-fields");
  if (!form || !party) return;
  const typed = new Map();

  function update(answerChanged) {
    const checked = form.querySelector('input[name="answer"]:checked');
    const no = Boolean(checked) && checked.value === "no";
    party.hidden = no;
    party.querySelectorAll("textarea, input[type=text]").forEach((box) => {
      if (no && answerChanged && box.value) {
        typed.set(box, box.value);
        box.value = "";
      } else if (!no && typed.has(box)) {
        if (!box.value) box.value = typed.get(box);
        typed.delete(box);
      }
    });
  }

  form.addEventListener("change", (event) => {
    if (event.target.name === "answer") update(true);
  });
  update(false);
})();
