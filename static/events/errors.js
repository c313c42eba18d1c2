// A failed form's error summary (templates/events/_error_summary.html) takes the focus, so
// it is read out and on screen. Its autofocus attribute is not enough: browsers skip
// autofocus when the address has a #fragment, and the forms post to one (#rsvp-form) to land
// on the form; and the browser's own move to the fragment, at load, resets the focus, so the
// summary takes it once the page has loaded.
(function () {
  const summary = document.querySelector(".error-summary");
  if (!summary) return;
  const focus = () => summary.focus();
  if (document.readyState === "complete") focus();
  else window.addEventListener("load", () => setTimeout(focus, 0));
})();
