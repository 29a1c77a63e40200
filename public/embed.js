// The form in a landing page's frame; attributes: see the README.
(function () {
  var script = document.currentScript, data = script && script.dataset;
  if (!data || !data.position) return;
  var worker = new URL(script.src).origin;
  var src = new URL("/apply/" + encodeURIComponent(data.position), worker);
  var query = new URLSearchParams(location.search);
  ("firstName lastName email phoneNumber utm_source utm_medium utm_campaign utm_term utm_content ref")
    .split(" ").forEach(function (name) {
      if (query.get(name)) src.searchParams.set(name, query.get(name));
    });
  // In the landing page's language; heights go to this origin only.
  var lang = data.lang || document.documentElement.lang;
  if (lang) src.searchParams.set("lang", lang);
  src.searchParams.set("embed_origin", location.origin);

  var frame = document.createElement("iframe");
  frame.src = src.href;
  if (data.title) frame.title = data.title;
  frame.allow = "camera; microphone";
  frame.referrerPolicy = "strict-origin";
  frame.style.cssText = "display:block;width:100%;height:40rem;border:0";

  addEventListener("message", function (event) {
    var m = event.data;
    if (event.origin !== worker || event.source !== frame.contentWindow) return;
    if (!m || m.type !== "hireflix-apply:height" || !(m.height > 0 && m.height < 1e5)) return;
    frame.style.height = Math.ceil(m.height) + "px";
    if (!data.title && m.title) frame.title = String(m.title).slice(0, 200);
  });
  // A failed submit shows the form again from its top: bring it into view.
  var loads = 0;
  frame.addEventListener("load", function () {
    if (loads++ && frame.getBoundingClientRect().top < 0) frame.scrollIntoView();
  });

  function place() {
    var target = data.target && document.querySelector(data.target);
    if (target) target.appendChild(frame);
    else script.parentNode.insertBefore(frame, script.nextSibling);
  }
  if (data.target && document.readyState === "loading") addEventListener("DOMContentLoaded", place);
  else place();
})();
