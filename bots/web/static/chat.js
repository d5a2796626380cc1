// Chat page: streams answers from POST /api/ask/stream (server-sent events) into the conversation log.
(function () {
  "use strict";
  var form = document.getElementById("ask-form");
  var box = document.getElementById("question");
  var button = document.getElementById("ask-button");
  var errorEl = document.getElementById("question-error");
  var log = document.getElementById("conversation");
  var statusEl = document.getElementById("status");
  var conversationId = sessionStorage.getItem("vsh-conversation") || null;
  var count = 0;
  var busy = false;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

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

  // "text [1] more [2]" -> text nodes and links to the numbered citations of this exchange
  function withMarkers(parent, text, n) {
    var re = /\[(\d+)\]/g, last = 0, m;
    while ((m = re.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = el("a", { href: "#cite-" + n + "-" + m[1], "class": "cite-ref" }, "[" + m[1] + "]");
      a.setAttribute("aria-label", "citation " + m[1]);
      parent.appendChild(a);
      last = m.index + m[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function addLine(answerEl, line, n) {
    var text = line.replace(/\n$/, "");
    if (!text.trim()) { answerEl.dataset.list = ""; return; }
    if (/^- /.test(text)) {
      var ul = answerEl.lastElementChild;
      if (!ul || ul.tagName !== "UL" || answerEl.dataset.list !== "open") {
        ul = el("ul");
        answerEl.appendChild(ul);
        answerEl.dataset.list = "open";
      }
      var li = el("li");
      withMarkers(li, text.slice(2), n);
      ul.appendChild(li);
    } else {
      answerEl.dataset.list = "";
      var p = el("p");
      withMarkers(p, text, n);
      answerEl.appendChild(p);
    }
  }

  function locator(c) {
    var parts = [];
    if (c.section) { parts.push(c.section.split(" > ").pop()); }
    if (c.paragraphs && c.paragraphs.length) {
      parts.push(c.paragraphs.length === 1 ? "para " + c.paragraphs[0]
        : "paras " + c.paragraphs[0] + "–" + c.paragraphs[c.paragraphs.length - 1]);
    }
    if (c.pages && c.pages.length) {
      parts.push(c.pages.length === 1 ? "p." + c.pages[0] : "pp." + c.pages[0] + "–" + c.pages[c.pages.length - 1]);
    }
    return parts.join(", ");
  }

  function renderCitations(ex, data, n) {
    if (data.citations && data.citations.length) {
      var wrap = el("div", { "class": "citations" });
      var hid = "sources-" + n;
      wrap.appendChild(el("h3", { id: hid }, "Sources"));
      var ol = el("ol", { "aria-labelledby": hid });
      data.citations.forEach(function (c) {
        var li = el("li", { id: "cite-" + n + "-" + c.number, value: String(c.number) });
        var a = el("a", { href: c.url }, c.title);
        li.appendChild(a);
        li.appendChild(document.createTextNode(" "));
        var badge = el("span", { "class": "badge badge-" + c.status, title: c.status_label }, c.status);
        li.appendChild(badge);
        var meta = el("div", { "class": "cite-meta" }, locator(c) + (c.published ? " · published " + c.published : ""));
        li.appendChild(meta);
        ol.appendChild(li);
      });
      wrap.appendChild(ol);
      ex.appendChild(wrap);
    }
    sectionLinks(ex, data.related_sections, "related-" + n, "Related sections");
    sectionLinks(ex, data.closest_sections, "closest-" + n, "Closest sections in the guidance");
  }

  // a list of sections as links without quotes (related sections of an answer; closest sections of a decline)
  function sectionLinks(ex, sections, cid, heading) {
    if (sections && sections.length) {
      var cw = el("div", { "class": "closest" });
      cw.appendChild(el("h3", { id: cid }, heading));
      var ul = el("ul", { "aria-labelledby": cid });
      sections.forEach(function (s) {
        var li = el("li");
        li.appendChild(el("a", { href: s.url }, s.title));
        var loc = locator(s);
        if (loc) { li.appendChild(document.createTextNode(" – " + loc)); }
        ul.appendChild(li);
      });
      cw.appendChild(ul);
      ex.appendChild(cw);
    }
  }

  function renderFeedback(ex, transcriptId, n) {
    var f = el("form", { "class": "feedback", "aria-label": "Feedback on this answer" });
    var fs = el("fieldset");
    fs.appendChild(el("legend", null, "Was this answer helpful?"));
    var choice = null;
    var yes = el("button", { type: "button", "aria-pressed": "false", "class": "fb-helpful" }, "Helpful");
    var no = el("button", { type: "button", "aria-pressed": "false", "class": "fb-unhelpful" }, "Not helpful");
    function pick(v) {
      choice = v;
      yes.setAttribute("aria-pressed", v ? "true" : "false");
      no.setAttribute("aria-pressed", v ? "false" : "true");
      send.disabled = false;
    }
    yes.addEventListener("click", function () { pick(true); });
    no.addEventListener("click", function () { pick(false); });
    fs.appendChild(yes);
    fs.appendChild(no);
    f.appendChild(fs);
    var cid = "fb-comment-" + n;
    f.appendChild(el("label", { "for": cid }, "Comment (optional, no personal details)"));
    var comment = el("textarea", { id: cid, rows: "2", maxlength: "2000" });
    f.appendChild(comment);
    var send = el("button", { type: "submit", "class": "secondary" }, "Send feedback");
    send.disabled = true;
    f.appendChild(send);
    var msg = el("p", { "class": "feedback-thanks", role: "status" });
    f.appendChild(msg);
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      if (choice === null) { return; }
      send.disabled = true;
      fetch("/api/feedback", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ transcript_id: transcriptId, helpful: choice, comment: comment.value || null })
      }).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error(body.message || "Feedback could not be sent."); }
          msg.textContent = "Thank you: your feedback was recorded.";
        });
      }).catch(function (err) { msg.textContent = err.message; send.disabled = false; });
    });
    ex.appendChild(f);
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

  function ask(question) {
    if (busy) { return; }
    clearError();
    question = question.trim();
    if (!question) { showError("Type a question first."); box.focus(); return; }
    var max = parseInt(box.getAttribute("maxlength"), 10);
    if (max && question.length > max) { showError("The question is too long: the limit is " + max + " characters."); return; }
    busy = true;
    button.disabled = true;
    count += 1;
    var n = count;
    var ex = el("article", { "class": "exchange", "aria-labelledby": "asked-" + n });
    var asked = el("h3", { "class": "asked", id: "asked-" + n }, "You asked: " + question);
    ex.appendChild(asked);
    var answerEl = el("div", { "class": "answer" });
    ex.appendChild(answerEl);
    log.appendChild(ex);
    statusEl.textContent = "Looking in the guidance…";
    var transcriptId = null;

    fetch("/api/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify({ question: question, conversation_id: conversationId })
    }).then(function (res) {
      if (!res.ok) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          if (res.status === 404 && conversationId) {
            conversationId = null;
            sessionStorage.removeItem("vsh-conversation");
          }
          throw new Error(body.message || ("The request failed (" + res.status + ")."));
        });
      }
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function onEvent(name, data) {
        if (name === "meta") {
          conversationId = data.conversation_id;
          transcriptId = data.transcript_id;
          sessionStorage.setItem("vsh-conversation", conversationId);
          asked.textContent = "You asked: " + data.question;
          if (data.personal_data_notice) {
            ex.insertBefore(el("p", { "class": "personal" }, data.personal_data_notice), answerEl);
          }
          if (data.declined) { ex.classList.add("declined"); }
        } else if (name === "delta") {
          addLine(answerEl, data.text, n);
        } else if (name === "citations") {
          renderCitations(ex, data, n);
        } else if (name === "done") {
          renderFeedback(ex, data.transcript_id || transcriptId, n);
          ex.dataset.done = "true";
          statusEl.textContent = data.answer.declined ? "The guidance I hold does not answer this." : "Answer ready.";
        }
      }
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) { parseEvents(buffer + "\n\n", onEvent); return; }
          buffer = parseEvents(buffer + decoder.decode(r.value, { stream: true }), onEvent);
          return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      answerEl.appendChild(el("p", { "class": "error", role: "alert" }, err.message || "Something went wrong."));
      statusEl.textContent = "";
    }).then(function () {
      busy = false;
      button.disabled = false;
    });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var q = box.value;
    ask(q);
    if (q.trim()) { box.value = ""; }
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll(".starter"), function (b) {
    b.addEventListener("click", function () { ask(b.getAttribute("data-question")); });
  });
  document.getElementById("new-conversation").addEventListener("click", function () {
    conversationId = null;
    sessionStorage.removeItem("vsh-conversation");
    log.textContent = "";
    statusEl.textContent = "New conversation started.";
    box.focus();
  });
})();
