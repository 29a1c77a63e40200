// Progressive enhancement only: the form works without this file.
// One press, one application: stop double submits while the first one is on its way.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute("data-apply")) return;
  if (form.getAttribute("data-sending") === "1") { event.preventDefault(); return; }
  form.setAttribute("data-sending", "1");
  var button = form.querySelector("button[type=submit]");
  if (button) { button.disabled = true; button.textContent = "Opening your interview\u2026"; }
});
// Bring the error summary into view for screen readers and small screens.
var summary = document.querySelector(".error-summary");
if (summary) summary.focus();
// A page restored from the back/forward cache must be usable again.
window.addEventListener("pageshow", function () {
  var forms = document.querySelectorAll("form[data-apply]");
  for (var i = 0; i < forms.length; i++) {
    forms[i].removeAttribute("data-sending");
    var button = forms[i].querySelector("button[type=submit]");
    if (button) { button.disabled = false; button.textContent = "Start my interview"; }
  }
});
