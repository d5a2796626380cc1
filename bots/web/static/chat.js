// Chat page: asks through POST /api/ask/stream (server-sent events), keeps the conversation in this browser
// (VshStore, chat-store.js) under the address /?c=<conversation id>, so reload, Back and links show it again,
// and lists earlier conversations of this device. Rendering is VshRender's (chat-render.js). A question sent
// while an answer is still coming waits its turn (shown at once, marked as waiting) and is asked when it is done.
(function () {
  "use strict";
  var R = window.VshRender, S = window.VshStore;
  var form = document.getElementById("ask-form");
  var box = document.getElementById("question");
  var errorEl = document.getElementById("question-error");
  var log = document.getElementById("conversation");
  var statusEl = document.getElementById("status");
  var note = document.getElementById("restore-note");
  var record = null;  // the conversation shown: {id, title, updated, exchanges}
  var count = 0;
  var busy = false;
  var queue = [];  // exchanges sent while an answer was coming: {question, ctx, note}, asked in turn
  var epoch = 0;  // bumped when another conversation is shown: an answer still coming for the old one is dropped
  var inFlight = null;  // the AbortController of the answer coming
  var current = null;  // the question of the answer coming

  function showError(message) {
    errorEl.textContent = message;
    errorEl.hidden = false;
    box.setAttribute("aria-invalid", "true");
  }

  function clearError() {
    errorEl.hidden = true;
    errorEl.textContent = "";
    box.removeAttribute("aria-invalid");
  }

  // --- history ------------------------------------------------------------------------------------

  function renderHistory() {
    var list = document.getElementById("history-list");
    var items = S.list().filter(function (c) { return c.exchanges && c.exchanges.length; });
    list.textContent = "";
    items.forEach(function (c) {
      var li = R.el("li");
      var a = R.el("a", { href: S.linkTo(c.id) }, c.title || "Conversation");
      if (record && c.id === record.id) { a.setAttribute("aria-current", "page"); }
      li.appendChild(a);
      var when = new Date(c.updated);
      var n = c.exchanges.length;
      li.appendChild(R.el("span", { "class": "doc-date" },
        " " + n + (n === 1 ? " question" : " questions") + ", " + when.toLocaleString("en-GB",
          { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })));
      list.appendChild(li);
    });
    document.getElementById("history-empty").hidden = items.length > 0;
    document.getElementById("clear-history").hidden = items.length === 0;
  }

  // --- one exchange -----------------------------------------------------------------------------

  function finish(ctx, item) {
    R.tools(ctx, item, function (state) {
      item.feedback = state;
      if (record) { S.save(record); }
    });
    ctx.ex.dataset.done = "true";
  }

  function restoreExchange(item) {
    count += 1;
    var a = item.done.answer;
    var ctx = R.start(log, count, item.question);
    R.meta(ctx, {
      question: a.question, declined: a.declined, evidence: a.evidence, safeguarding_notice: a.safeguarding_notice,
      personal_data_notice: a.personal_data_notice
    });
    item.body.forEach(function (line) { R.line(ctx, line); });
    R.sources(ctx, Object.assign({ evidence_note: item.done.evidence_note || "" }, a));
    finish(ctx, item);
  }

  function restore(id) {
    epoch += 1;
    if (inFlight) { inFlight.abort(); inFlight = null; }
    queue = [];
    busy = false;
    log.textContent = "";
    count = 0;
    note.hidden = true;
    record = null;
    if (id) {
      var found = S.get(id);
      if (found && found.exchanges && found.exchanges.length) {
        record = found;
        found.exchanges.forEach(restoreExchange);
        statusEl.textContent = "";
      } else {
        note.textContent = "That conversation is not kept in this browser, so a new one starts with your next question.";
        note.hidden = false;
        history.replaceState(null, "", "/");
      }
    }
    renderHistory();
  }

  // --- asking -------------------------------------------------------------------------------------

  var UNREACHABLE = "The assistant could not be reached, so this question was not answered. " +
    "Check your connection and ask again.";
  var CUT_OFF = "The answer was cut off before it was finished. Please ask again.";

  function fail(message) {  // the browser's own "Failed to fetch" or "network error" says nothing to a user
    return function () { throw new Error(message); };
  }

  function parseEvents(buffer, onEvent) {
    var parts = buffer.split("\n\n");
    var rest = parts.pop();
    parts.forEach(function (block) {
      var name = "message", data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) { name = line.slice(6).trim(); }
        else if (line.indexOf("data:") === 0) { data.push(line.slice(5).replace(/^ /, "")); }
      });
      if (data.length) { onEvent(name, JSON.parse(data.join("\n"))); }
    });
    return rest;
  }

  // A question from the box or a starter: its exchange is shown at once; asked now, or after the answer coming.
  function ask(question) {
    clearError();
    question = question.trim();
    if (!question) { showError("Type a question first."); box.focus(); return false; }
    var max = parseInt(box.getAttribute("maxlength"), 10);
    if (max && question.length > max) {
      showError("The question is too long: the limit is " + max + " characters.");
      return false;
    }
    if (busy && [current].concat(queue.map(function (e) { return e.question; })).indexOf(question) >= 0) {
      return true;  // a second tap on the same starter, say: it is coming already
    }
    note.hidden = true;
    count += 1;
    var entry = { question: question, ctx: R.start(log, count, question), note: null, queued: busy };
    if (!busy) { run(entry); return true; }
    entry.note = R.el("p", { "class": "waiting" }, "Waiting: this is asked when the answer above is finished.");
    entry.ctx.answerEl.appendChild(entry.note);
    queue.push(entry);
    statusEl.textContent = "Your next question is asked when this answer is finished.";
    return true;
  }

  function next() {
    if (!busy && queue.length) { run(queue.shift()); }
  }

  function run(entry) {
    var question = entry.question, ctx = entry.ctx, mine = epoch;
    busy = true;
    current = question;
    if (entry.note) { entry.note.remove(); }
    if (!entry.queued) { ctx.asked.scrollIntoView({ block: "start" }); }  // typed or tapped, it comes into view
    statusEl.textContent = "Sending your question…";
    var item = { question: question, body: [], done: null, feedback: null };
    var ended = false;  // a done or error event came: without one the stream was cut off
    inFlight = window.AbortController ? new AbortController() : null;

    function onEvent(name, data) {
      if (mine !== epoch) { return; }  // another conversation is shown now
      if (name === "status") {
        statusEl.textContent = data.text;
      } else if (name === "meta") {
        if (!record || record.id !== data.conversation_id) {
          record = { id: data.conversation_id, title: data.question, updated: "", exchanges: [] };
        }
        if (S.idFromUrl() !== record.id) { history.replaceState(null, "", S.linkTo(record.id)); }
        item.question = data.question;  // kept as the server stored it: personal details redacted
        R.meta(ctx, data);
      } else if (name === "delta") {
        item.body.push(data.text);
        R.line(ctx, data.text);
      } else if (name === "citations") {
        R.sources(ctx, data);
      } else if (name === "done") {
        ended = true;
        item.done = data;
        record.exchanges.push(item);
        S.save(record);
        finish(ctx, item);
        renderHistory();
        var top = ctx.asked.getBoundingClientRect().top;  // still where it was put: now it can go to the top
        if (!entry.queued && top > 0 && top < window.innerHeight) { ctx.asked.scrollIntoView({ block: "start" }); }
        statusEl.textContent = data.answer.declined ? "The guidance I hold does not answer this." : "Answer ready.";
      } else if (name === "error") {
        ended = true;
        if (data.status === 404 && record) { record = null; history.replaceState(null, "", "/"); }
        throw new Error(data.message || "Something went wrong.");
      }
    }

    fetch("/api/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify({ question: question, conversation_id: record ? record.id : null }),
      signal: inFlight ? inFlight.signal : undefined
    }).then(null, fail(UNREACHABLE)).then(function (res) {
      if (!res.ok) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          if (res.status === 404 && record) {
            record = null;
            history.replaceState(null, "", "/");
            throw new Error("The server no longer holds this conversation: ask again to start a new one.");
          }
          throw new Error(body.message || ("The request failed (" + res.status + ")."));
        });
      }
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(null, fail(CUT_OFF)).then(function (r) {
          if (r.done) {
            parseEvents(buffer + "\n\n", onEvent);
            if (!ended) { throw new Error(CUT_OFF); }
            return;
          }
          buffer = parseEvents(buffer + decoder.decode(r.value, { stream: true }), onEvent);
          return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      if (mine !== epoch) { return; }
      ctx.answerEl.appendChild(R.el("p", { "class": "error", role: "alert" }, err.message || "Something went wrong."));
      statusEl.textContent = "";
      if (!box.value.trim()) { box.value = question; }  // to ask again without typing it again
    }).then(function () {
      if (mine !== epoch) { return; }  // restore() has reset the queue already
      busy = false;
      inFlight = null;
      next();
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (ask(box.value)) { box.value = ""; }
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll(".starter"), function (b) {
    b.addEventListener("click", function () { ask(b.getAttribute("data-question")); });
  });
  document.getElementById("new-conversation").addEventListener("click", function () {
    if (record) { history.pushState(null, "", "/"); }
    restore(null);
    statusEl.textContent = "New conversation started.";
    box.focus();
  });
  document.getElementById("clear-history").addEventListener("click", function () {
    S.clear();
    renderHistory();
    statusEl.textContent = "Earlier conversations were removed from this device.";
  });
  window.addEventListener("popstate", function () { restore(S.idFromUrl()); });
  var prefill = new URLSearchParams(window.location.search).get("q");
  if (prefill) { box.value = prefill.slice(0, parseInt(box.getAttribute("maxlength"), 10) || 2000); }
  restore(S.idFromUrl());
})();
