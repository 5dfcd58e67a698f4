// The staff console: live refresh through server-sent events, actions and replies with the CSRF token.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf"]') || {}).content || "";

  function post(url, data) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(data || {})
    }).then(function (r) {
      return r.json().catch(function () { return {ok: false, error: "HTTP " + r.status}; })
        .then(function (body) { if (!r.ok && body.ok === undefined) { body.ok = false; body.error = body.detail || body.error; } return body; });
    });
  }

  function problem(text) {
    var box = document.getElementById("problem");
    if (!box) { alert(text); return; }
    box.textContent = text; box.hidden = !text;
  }

  function after(target) {
    if (target === "reload") { location.reload(); } else if (target) { location.href = target; }
  }

  function wire(root) {
    root.querySelectorAll("button.act[data-post]").forEach(function (button) {
      if (button.dataset.wired) { return; }
      button.dataset.wired = "1";
      button.addEventListener("click", function () {
        button.disabled = true;
        post(button.dataset.post).then(function (body) {
          button.disabled = false;
          if (body.ok) { after(button.dataset.then === "from-response" ? body.then : button.dataset.then); }
          else { problem(body.error || "error"); }
        });
      });
    });
    root.querySelectorAll("form.act-form[data-post]").forEach(function (form) {
      if (form.dataset.wired) { return; }
      form.dataset.wired = "1";
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var data = {};
        new FormData(form).forEach(function (value, key) { data[key] = value; });
        post(form.dataset.post, data).then(function (body) {
          if (body.ok) { after(form.dataset.then); } else { problem(body.error || "error"); }
        });
      });
    });
  }

  // Parts of the page that refresh on an event: data-refresh (URL) and data-on (event type).
  var parts = Array.prototype.slice.call(document.querySelectorAll("[data-refresh]"));
  function refresh(part) {
    fetch(part.dataset.refresh, {credentials: "same-origin"}).then(function (r) {
      if (r.redirected || r.status === 401) { location.href = "/staff/login"; return null; }
      return r.ok ? r.text() : null;
    }).then(function (html) {
      if (html !== null && html !== undefined) { part.innerHTML = html; wire(part); }
    });
  }
  if (parts.length && window.EventSource) {
    var source = new EventSource("/staff/events");
    ["queue", "conversation"].forEach(function (kind) {
      source.addEventListener(kind, function (event) {
        var data = JSON.parse(event.data || "{}");
        parts.forEach(function (part) {
          if (part.dataset.on !== kind) { return; }
          if (kind === "conversation" && part.dataset.id && String(data.id) !== part.dataset.id) { return; }
          refresh(part);
        });
        if (kind === "conversation" && document.getElementById("status") && String(data.id) === (document.getElementById("messages") || {dataset: {}}).dataset.id) {
          refreshStatus();
        }
      });
    });
    source.onopen = function () { document.body.classList.add("connected"); };
    source.onerror = function () { document.body.classList.remove("connected"); };
  }
  function refreshStatus() { /* the status line changes only through this page's own actions */ }

  // The reply box: draft -> translation (checked, editable) -> send.
  var box = document.getElementById("reply-box");
  if (box) {
    var id = box.dataset.conversation;
    var draft = document.getElementById("draft");
    var final = document.getElementById("final");
    var mode = document.getElementById("mode");
    var error = document.getElementById("translate-error");
    var source = "";
    document.getElementById("translate").addEventListener("click", function () {
      var text = draft.value.trim();
      if (!text) { return; }
      error.hidden = true; final.value = ""; final.placeholder = "…";
      post("/staff/conversations/" + id + "/translate", {text: text}).then(function (body) {
        final.placeholder = "";
        if (body.ok && body.text) { final.value = body.text; mode.value = "translated"; source = text; }
        else { error.textContent = body.error || "error"; error.hidden = false; mode.value = "direct"; source = ""; }
      });
    });
    final.addEventListener("input", function () {
      if (mode.value === "translated" && !final.value.trim()) { mode.value = "direct"; source = ""; }
    });
    document.getElementById("canned").addEventListener("change", function (event) {
      var option = event.target.selectedOptions[0];
      if (!option || !option.value) { return; }
      final.value = option.dataset.text; draft.value = option.dataset.source; source = option.dataset.source;
      mode.value = "canned"; error.hidden = true;
    });
    document.getElementById("send").addEventListener("click", function () {
      var text = final.value.trim();
      if (!text) { error.textContent = error.textContent || "—"; error.hidden = false; final.focus(); return; }
      var button = this; button.disabled = true;
      post("/staff/conversations/" + id + "/reply", {text: text, source: source, mode: mode.value}).then(function (body) {
        button.disabled = false;
        if (body.ok) { final.value = ""; draft.value = ""; source = ""; mode.value = "direct"; refresh(document.getElementById("messages")); }
        else { problem(body.error || "error"); }
      });
    });
  }
  wire(document);
})();
