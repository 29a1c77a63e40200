// A fake of Cloudflare Turnstile's api.js for the browser tests, served by the stand-in in
// turnstile.mjs. As the real one does, it renders each `.cf-turnstile` element as an iframe from
// the origin the script came from (so the page's CSP must admit it in script-src and frame-src),
// and puts the token the frame hands back into a hidden `cf-turnstile-response` input inside the
// element. The element's data-turnstile-state reads `verifying`, then `success`. Of the real
// `window.turnstile` API it has what the form uses: `reset`.
(function () {
  var script = document.currentScript;
  var origin = new URL(script.src).origin;
  var widgets = {};

  window.addEventListener("message", function (event) {
    var d = event.data;
    var widget = d && d.source === "turnstile-stand-in" && widgets[d.widget];
    if (event.origin !== origin || !widget) return;
    widget.input.value = d.token;
    widget.el.setAttribute("data-turnstile-state", "success");
  });

  function render(el, n) {
    var id = "cf-chl-widget-" + n;
    var frame = document.createElement("iframe");
    frame.title = "Widget containing a Cloudflare security challenge";
    frame.style.cssText = "border:none;width:300px;height:65px";
    frame.src = origin + "/turnstile/v0/frame?" + new URLSearchParams({
      widget: id,
      sitekey: el.dataset.sitekey || "",
      action: el.dataset.action || "",
      cdata: el.dataset.cdata || "",
      hostname: location.hostname,
      parent: location.origin,
    });
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = el.dataset.responseFieldName || "cf-turnstile-response";
    el.setAttribute("data-turnstile-state", "verifying");
    el.append(frame, input);
    widgets[id] = { el: el, input: input };
  }

  var rendered = 0;
  function renderAll() {
    document.querySelectorAll(".cf-turnstile").forEach(function (el) { render(el, rendered++); });
  }

  // As the real API's reset(container): the spent token goes, and a new solve brings a new one.
  window.turnstile = {
    reset: function (container) {
      var el = typeof container === "string" ? document.querySelector(container) : container;
      Object.keys(widgets).forEach(function (id) {
        if (widgets[id].el !== el) return;
        widgets[id].el.replaceChildren();
        delete widgets[id];
        render(el, rendered++);
      });
    },
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", renderAll);
  else renderAll();
})();
