// Progressive enhancement only: the form works without this file.
(function () {
  // In a landing page's frame (public/embed.js), the origin of that page, given as embed_origin;
  // null on our own pages, or when it is not a plain origin (postMessage needs one, never "*").
  var embedOrigin = (function () {
    var origin = new URLSearchParams(location.search).get("embed_origin");
    if (window.parent === window || !origin || !window.fetch) return null;
    try {
      return new URL(origin).origin === origin ? origin : null;
    } catch (e) {
      return null;
    }
  })();

  // One press, one application: stop double submits while the first one is on its way.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-apply")) return;
    if (form.getAttribute("data-sending") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-sending", "1");
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.setAttribute("data-label", button.textContent);
      button.disabled = true;
      // In the page's language (the catalogue's words, given by the page).
      button.textContent = button.getAttribute("data-sending-label") || button.textContent;
    }
    if (embedOrigin) { event.preventDefault(); sendFromFrame(form); }
  });

  // The language switch carries what the server knew; add what was typed since.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-keep-values]");
    var form = document.querySelector("form[data-apply]");
    if (!link || !form) return;
    var url = new URL(link.href);
    ["firstName", "lastName", "email", "phoneNumber"].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value) url.searchParams.set(name, field.value);
      else url.searchParams.delete(name);
    });
    link.href = url.href;
  });

  // A form that came back from a post (errors, a notice) sits in history as that post: Back to
  // it from the interview would ask to send the form again ("Confirm Form Resubmission"). The
  // form's address (its action, a plain GET of the same form) makes it an ordinary page; what
  // was typed stays in the page, never in the URL.
  if (window.history && history.replaceState && document.querySelector("form[data-apply]")) {
    history.replaceState(history.state, "", location.href);
  }

  // Bring the error summary into view for screen readers and small screens.
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  // A page restored from the back/forward cache must be usable again.
  window.addEventListener("pageshow", function () {
    var forms = document.querySelectorAll("form[data-apply]");
    for (var i = 0; i < forms.length; i++) ready(forms[i]);
  });

  function ready(form) {
    form.removeAttribute("data-sending");
    var button = form.querySelector("button[type=submit]");
    if (button && button.hasAttribute("data-label")) {
      button.disabled = false;
      button.textContent = button.getAttribute("data-label");
    }
  }

  if (embedOrigin) {
    // The landing page sizes the frame to the page, so the page never scrolls inside it. The
    // height of <html> is its content's; scrollHeight would never shrink below the frame's.
    // The frame's accessible name comes along, in the page's language.
    var form = document.querySelector("form[data-apply]");
    var title = form && form.getAttribute("data-frame-title");
    var postHeight = function () {
      var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      window.parent.postMessage({ type: "hireflix-apply:height", height: height, title: title }, embedOrigin);
    };
    postHeight();
    window.addEventListener("load", postHeight);
    // Error summary, notices, a narrower window, late fonts: every change of size.
    if (window.ResizeObserver) new ResizeObserver(postHeight).observe(document.documentElement);

    // The page that answers a post inside the frame must know its landing page too.
    var forms = document.querySelectorAll("form[data-apply]");
    for (var i = 0; i < forms.length; i++) {
      var action = new URL(forms[i].action);
      action.searchParams.set("embed_origin", embedOrigin);
      forms[i].action = action.href;
    }
  }

  // In a frame, the interview must open in the whole window (it needs the camera, and the
  // landing page's frame is too small for it), while a mistake in the form should show in the
  // frame. The JSON API answers with the interview link, so ask it first:
  // - a link: open it in the whole window (the click made this frame allowed to);
  // - 422, input refused (by our checks or by Hireflix, which then made no interview): post
  //   the form into the frame, which shows it again with its errors, and nothing else happens;
  // - anything else (queued, already invited, rate limited, unavailable, offline): post the form
  //   to the whole window, as without the frame. Posting the same application again is safe:
  //   the worker remembers it and Hireflix never makes a second interview for an email. A
  //   Turnstile token is good for one check, which the first request spent: the widget is
  //   asked for a fresh one before the form goes again.
  function sendFromFrame(form) {
    var api = new URL(form.action);
    api.pathname = "/api" + api.pathname;
    fetch(api.href, { method: "POST", body: new FormData(form), credentials: "omit" })
      .then(function (response) {
        if (response.status === 422) return post(form, "_self");
        return response.json().then(function (answer) {
          if (!answer.url) throw new Error("no interview link");
          window.top.location.href = answer.url;
          stillHere(form);
        });
      })
      .catch(function () { post(form, "_top"); });
  }

  var TOKEN_WAIT_MS = 10000;

  // Still here long after: the browser kept the frame from moving the whole window (some do
  // without a fresh click). Another press asks again (the worker remembers the application).
  function stillHere(form) {
    clearTimeout(form.stillHere);
    form.stillHere = setTimeout(function () { ready(form); }, 8000);
  }

  function post(form, target) {
    var widget = form.querySelector(".cf-turnstile");
    var field = function () { return widget.querySelector("input[name=cf-turnstile-response]"); };
    var send = function () {
      form.target = target;
      if (target === "_top") stillHere(form);
      // The prototype's submit: a field named "submit" cannot shadow it, no submit event fires.
      HTMLFormElement.prototype.submit.call(form);
    };
    if (!widget || !window.turnstile || !field()) return send();
    var spent = field().value;
    window.turnstile.reset(widget);
    // A widget that wants a click does not solve by itself: after the wait the form goes
    // without a token, and its answer asks for the check with everything typed kept.
    var waited = 0;
    (function poll() {
      var token = field() && field().value;
      if ((token && token !== spent) || waited >= TOKEN_WAIT_MS) return send();
      waited += 100;
      setTimeout(poll, 100);
    })();
  }
})();
