// Keep a copy of what the learner types in this browser until the server has it,
// so a lost connection or a closed tab never loses their words.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
    var key = "microcred:" + form.dataset.draftKey;
    var area = form.querySelector("textarea");
    if (!area || !window.localStorage) return;
    var saved = localStorage.getItem(key);
    if (saved !== null && saved !== area.value) {
      area.value = saved;
      var state = form.querySelector(".saved-state");
      // The message comes translated from the page (data-draft-restored).
      if (state) state.textContent = form.dataset.draftRestored || "Restored your unsaved text from this browser; saving…";
      // Let htmx finish setting up the page before asking it to send.
      setTimeout(function () { if (window.htmx) htmx.trigger(form, "submit"); }, 0);
    }
    area.addEventListener("input", function () { localStorage.setItem(key, area.value); });
    form.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) localStorage.removeItem(key);
    });
  });
});
