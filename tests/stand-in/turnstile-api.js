// A fake of Cloudflare Turnstile's client script (https://challenges.cloudflare.com/turnstile/v0/api.js)
// for browser tests and `scripts/dev`, served by the stand-in in tests/stand-in/turnstile.mjs.
//
// Like the real one it renders each widget as an iframe from the origin the script came from, so
// a page whose Content-Security-Policy admits https://challenges.cloudflare.com in script-src and
// frame-src (and nothing else) runs it unchanged once the test routes that origin to the stand-in
// (TurnstileStandIn#route). The frame asks the stand-in for a token carrying the page's hostname,
// action and cData and posts it to the page, which puts it in the hidden `cf-turnstile-response`
// input inside the widget's container and hands it to the callbacks.
//
// Sitekeys: 1x00000000000000000000AA passes at once; 2x00000000000000000000AB fails (the field
// gets a token siteverify refuses, error-callback gets 600010); 3x00000000000000000000FF shows a
// "Verify you are human" checkbox; the *BB keys do the same invisibly; any other key is 110100.
// The same file runs inside the frame (the frame's body carries data-turnstile-stand-in-frame).
(function () {
  "use strict";

  var SOURCE = "turnstile-stand-in";
  var FRAME_PATH = "/turnstile/v0/stand-in/frame";
  var SITEKEYS = {
    pass: "1x00000000000000000000AA",
    fail: "2x00000000000000000000AB",
    passInvisible: "1x00000000000000000000BB",
    failInvisible: "2x00000000000000000000BB",
    interactive: "3x00000000000000000000FF",
  };
  var INVISIBLE = [SITEKEYS.passInvisible, SITEKEYS.failInvisible];
  var FAILING = [SITEKEYS.fail, SITEKEYS.failInvisible];

  var script =
    document.currentScript ||
    Array.prototype.find.call(document.scripts, function (s) {
      return /\/turnstile\/v0\/api\.js(\?|$)/.test(s.src);
    });
  var scriptUrl = new URL(script ? script.src : "/turnstile/v0/api.js", location.href);

  if (document.body && document.body.hasAttribute("data-turnstile-stand-in-frame")) return frame();
  if (window.turnstile && window.turnstile.standIn) return; // loaded twice: keep the first

  // ---- In the page -------------------------------------------------------------------------
  var widgets = new Map();
  var lastId = null;

  function domReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn, { once: true });
    else setTimeout(fn, 0);
  }

  function fn(value) {
    if (typeof value === "function") return value;
    if (typeof value === "string" && value && typeof window[value] === "function") return window[value];
    return null;
  }

  function call(widget, name, args) {
    var f = fn(widget.params[name]);
    if (f) {
      try {
        f.apply(null, args || []);
      } catch (e) {
        setTimeout(function () {
          throw e;
        });
      }
    }
    return Boolean(f);
  }

  // data-* attributes as render parameters, as implicit rendering reads them.
  function fromAttributes(el) {
    var names = [
      "sitekey", "action", "cdata", "callback", "error-callback", "expired-callback", "timeout-callback",
      "before-interactive-callback", "after-interactive-callback", "unsupported-callback", "theme",
      "language", "tabindex", "response-field", "response-field-name", "size", "retry", "retry-interval",
      "refresh-expired", "refresh-timeout", "appearance", "execution", "feedback-enabled",
    ];
    var params = {};
    names.forEach(function (name) {
      var value = el.getAttribute("data-" + name);
      if (value !== null) params[name === "cdata" ? "cData" : name] = value;
    });
    return params;
  }

  function find(ref) {
    if (ref === undefined || ref === null) return widgets.get(lastId);
    if (typeof ref === "string" && widgets.has(ref)) return widgets.get(ref);
    var el = typeof ref === "string" ? document.querySelector(ref) : ref;
    var found;
    widgets.forEach(function (w) {
      if (w.container === el) found = w;
    });
    return found;
  }

  function setState(widget, state) {
    widget.state = state;
    // For tests and styles; the words the visitor reads are in the frame.
    widget.container.setAttribute("data-turnstile-state", state);
  }

  function size(widget) {
    var style = widget.iframe.style;
    style.border = "none";
    style.display = "block";
    if (INVISIBLE.indexOf(widget.params.sitekey) >= 0) {
      style.width = "0";
      style.height = "0";
      return;
    }
    var s = widget.params.size;
    style.width = s === "compact" ? "150px" : s === "flexible" ? "100%" : "300px";
    style.minWidth = s === "flexible" ? "300px" : "";
    style.height = s === "compact" ? "140px" : "65px";
  }

  function language(widget) {
    var lang = widget.params.language;
    return !lang || lang === "auto" ? navigator.language || "en" : String(lang);
  }

  function run(widget) {
    clearTimeout(widget.expiryTimer);
    widget.run += 1;
    widget.expired = false;
    setState(widget, "verifying");
    var q = new URLSearchParams({
      widget: widget.id,
      run: String(widget.run),
      sitekey: widget.params.sitekey,
      action: widget.params.action == null ? "" : String(widget.params.action),
      cdata: widget.params.cData == null ? String(widget.params.cdata || "") : String(widget.params.cData),
      hostname: location.hostname,
      parent: location.origin,
      language: language(widget),
      tabindex: widget.params.tabindex == null ? "0" : String(widget.params.tabindex),
    });
    widget.iframe.src = scriptUrl.origin + FRAME_PATH + "?" + q.toString();
  }

  function setToken(widget, token, ttlMs) {
    widget.token = token;
    if (widget.input) widget.input.value = token;
    clearTimeout(widget.expiryTimer);
    // "A few seconds before a token expires, the expired-callback is invoked."
    var early = Math.min(10000, Math.floor(ttlMs / 10));
    widget.expiryTimer = setTimeout(function () {
      expire(widget);
    }, Math.max(0, ttlMs - early));
  }

  function expire(widget) {
    if (!widgets.has(widget.id)) return;
    // getResponse() still answers the old token, which no longer verifies.
    widget.expired = true;
    setState(widget, "expired");
    call(widget, "expired-callback", [widget.token]);
    var mode = widget.params["refresh-expired"] || "auto";
    if (mode === "auto") return run(widget);
    post(widget, { cmd: "expired", manual: mode === "manual" });
  }

  function post(widget, message) {
    message.source = SOURCE;
    if (widget.iframe.contentWindow) widget.iframe.contentWindow.postMessage(message, scriptUrl.origin);
  }

  window.addEventListener("message", function (event) {
    var d = event.data;
    if (event.origin !== scriptUrl.origin || !d || d.source !== SOURCE) return;
    var widget = widgets.get(d.widget);
    if (!widget || event.source !== widget.iframe.contentWindow || String(widget.run) !== String(d.run)) return;
    switch (d.event) {
      case "token":
        setToken(widget, d.token, d.ttlMs);
        setState(widget, "success");
        call(widget, "callback", [d.token]);
        break;
      case "failure":
        setToken(widget, d.token, d.ttlMs);
        setState(widget, "failure");
        if (!call(widget, "error-callback", [d.code])) console.warn("[Turnstile stand-in] challenge failed: " + d.code);
        break;
      case "error":
        widget.token = null;
        if (widget.input) widget.input.value = "";
        setState(widget, "error");
        if (!call(widget, "error-callback", [d.code])) console.warn("[Turnstile stand-in] error " + d.code);
        break;
      case "before-interactive":
        setState(widget, "interactive");
        call(widget, "before-interactive-callback");
        break;
      case "after-interactive":
        setState(widget, "verifying");
        call(widget, "after-interactive-callback");
        break;
      case "refresh":
        run(widget);
        break;
    }
  });

  function render(container, options) {
    var el = typeof container === "string" ? document.querySelector(container) : container;
    if (!el || el.nodeType !== 1) {
      console.warn("[Turnstile stand-in] render: no element for " + container);
      return undefined;
    }
    var existing = find(el);
    if (existing) {
      console.warn("[Turnstile stand-in] render: this container already has widget " + existing.id);
      return existing.id;
    }
    var params = Object.assign(fromAttributes(el), options || {});
    if (!params.sitekey) {
      console.warn("[Turnstile stand-in] render: no sitekey");
      return undefined;
    }
    var id = "cf-chl-widget-" + Math.random().toString(36).slice(2, 7);
    var iframe = document.createElement("iframe");
    iframe.id = id;
    iframe.title = "Widget containing a Cloudflare security challenge";
    var widget = { id: id, container: el, params: params, iframe: iframe, input: null, token: null, run: 0, expired: false };
    size(widget);
    el.appendChild(iframe);
    if (String(params["response-field"]) !== "false") {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = params["response-field-name"] || "cf-turnstile-response";
      input.id = id + "_response";
      el.appendChild(input);
      widget.input = input;
    }
    widgets.set(id, widget);
    lastId = id;
    if (params.execution === "execute") setState(widget, "idle");
    else run(widget);
    return id;
  }

  function renderAll() {
    Array.prototype.forEach.call(document.querySelectorAll(".cf-turnstile"), function (el) {
      if (!find(el)) render(el);
    });
  }

  window.turnstile = {
    standIn: true,
    render: render,
    implicitRender: renderAll,
    execute: function (container, options) {
      var widget = find(container);
      if (!widget) return render(container, Object.assign({}, options, { execution: "render" }));
      run(widget);
      return widget.id;
    },
    reset: function (ref) {
      var widget = find(ref);
      if (!widget) return;
      widget.token = null;
      if (widget.input) widget.input.value = "";
      if (widget.params.execution === "execute" && widget.run === 0) return;
      run(widget);
    },
    remove: function (ref) {
      var widget = find(ref);
      if (!widget) return;
      clearTimeout(widget.expiryTimer);
      widget.iframe.remove();
      if (widget.input) widget.input.remove();
      widget.container.removeAttribute("data-turnstile-state");
      widgets.delete(widget.id);
    },
    getResponse: function (ref) {
      var widget = find(ref);
      return widget && widget.token ? widget.token : undefined;
    },
    isExpired: function (ref) {
      var widget = find(ref);
      return Boolean(widget && widget.expired);
    },
    ready: function (callback) {
      domReady(callback);
    },
  };

  // ?render=explicit leaves .cf-turnstile elements alone; ?onload=name is called once loaded.
  domReady(function () {
    if (scriptUrl.searchParams.get("render") !== "explicit") renderAll();
    var onload = fn(scriptUrl.searchParams.get("onload"));
    if (onload) onload();
  });

  // ---- In the frame ------------------------------------------------------------------------
  function frame() {
    var q = new URLSearchParams(location.search);
    var sitekey = q.get("sitekey") || "";
    var parentOrigin = q.get("parent") || "*";
    var words = catalogue(q.get("language") || "en");
    document.documentElement.lang = words.lang;

    var main = document.createElement("main");
    var status = document.createElement("div");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var slot = document.createElement("div");
    var brand = document.createElement("small");
    brand.textContent = "Turnstile (local stand-in)";
    main.append(status, slot, brand);
    document.body.append(main);

    function post(message) {
      message.source = SOURCE;
      message.widget = q.get("widget");
      message.run = q.get("run");
      window.parent.postMessage(message, parentOrigin);
    }

    function show(state, message) {
      document.body.setAttribute("data-state", state);
      status.textContent = message;
      slot.replaceChildren();
    }

    function solve(interactive) {
      show("verifying", words.verifying);
      fetch("/__stand-in/token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          sitekey: sitekey,
          hostname: q.get("hostname"),
          action: q.get("action"),
          cdata: q.get("cdata"),
          interactive: interactive,
        }),
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) {
              show("error", words.error + " " + body.error);
              return post({ event: "error", code: body.error });
            }
            if (FAILING.indexOf(sitekey) >= 0) {
              show("failure", words.failure);
              return post({ event: "failure", token: body.token, ttlMs: body.ttlMs, code: "600010" });
            }
            show("success", words.success);
            post({ event: "token", token: body.token, ttlMs: body.ttlMs });
          });
        })
        .catch(function () {
          show("error", words.error + " 300010");
          post({ event: "error", code: "300010" });
        });
    }

    window.addEventListener("message", function (event) {
      var d = event.data;
      if (event.source !== window.parent || !d || d.source !== SOURCE || d.cmd !== "expired") return;
      show("expired", words.expired);
      if (!d.manual) return;
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = words.refresh;
      button.addEventListener("click", function () {
        post({ event: "refresh" });
      });
      slot.append(button);
    });

    if (sitekey !== SITEKEYS.interactive) return solve(false);
    post({ event: "before-interactive" });
    show("interactive", "");
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.tabIndex = Number(q.get("tabindex")) || 0;
    label.append(box, document.createTextNode(words.verifyHuman));
    slot.append(label);
    box.addEventListener("change", function () {
      if (!box.checked) return;
      post({ event: "after-interactive" });
      solve(true);
    });
  }

  function catalogue(requested) {
    var all = {
      en: { verifying: "Verifying…", success: "Success!", failure: "Failure", error: "Error", expired: "Expired", refresh: "Refresh", verifyHuman: "Verify you are human" },
      de: { verifying: "Wird überprüft …", success: "Erfolg!", failure: "Fehlgeschlagen", error: "Fehler", expired: "Abgelaufen", refresh: "Aktualisieren", verifyHuman: "Bestätigen Sie, dass Sie ein Mensch sind" },
      es: { verifying: "Verificando…", success: "¡Correcto!", failure: "Error de verificación", error: "Error", expired: "Caducado", refresh: "Actualizar", verifyHuman: "Verifique que es un ser humano" },
      fr: { verifying: "Vérification…", success: "Réussi !", failure: "Échec", error: "Erreur", expired: "Expiré", refresh: "Actualiser", verifyHuman: "Vérifiez que vous êtes un humain" },
    };
    // Unsupported languages fall back to English, as documented.
    var lang = String(requested).toLowerCase().split("-")[0];
    var words = all[lang] || all.en;
    words.lang = all[lang] ? lang : "en";
    return words;
  }
})();
