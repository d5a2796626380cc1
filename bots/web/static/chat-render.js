// Renders one exchange of the chat: the safeguarding notice, the answer lines with numbered citation chips
// (a preview of the quote on hover, focus or tap), the sources, related or closest sections, the legend once,
// the copy button and one-click feedback. Used alike for a streamed answer and for one restored from storage.
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
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

  // --- citation chips and their previews ----------------------------------------------------------

  var openChip = null;
  var EDGE = 8, GAP = 6;  // px kept clear of the screen's edges; between the chip and its preview

  // The preview below the chip (above it when there is more room there), its left edge under the chip but
  // moved in so that it stays on the screen; taller than the room on either side, it scrolls.
  function place(tip, chip) {
    var wrap = tip.parentNode.getBoundingClientRect(), c = chip.getBoundingClientRect();
    var vw = document.documentElement.clientWidth, vh = window.innerHeight;
    tip.style.maxWidth = (vw - 2 * EDGE) + "px";
    tip.style.maxHeight = "none";
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.max(EDGE, Math.min(c.left, vw - EDGE - w));
    var below = vh - EDGE - c.bottom - GAP, above = c.top - GAP - EDGE;
    var under = h <= below || below >= above;
    if (h > Math.max(below, above)) { tip.style.maxHeight = Math.max(below, above) + "px"; h = tip.offsetHeight; }
    var top = under ? c.bottom + GAP : c.top - GAP - h;
    tip.style.left = (left - wrap.left) + "px";
    tip.style.top = (top - wrap.top) + "px";
  }

  function show(chip, pinned) {
    var tip = document.getElementById(chip.getAttribute("aria-describedby") || "");
    if (!tip) { return; }
    if (openChip && openChip !== chip) { hide(openChip, true); }
    tip.hidden = false;
    place(tip, chip);
    chip.setAttribute("aria-expanded", "true");
    if (pinned) { chip.dataset.pinned = "true"; }
    openChip = chip;
  }

  function hide(chip, force) {
    if (!force && chip.dataset.pinned === "true") { return; }
    var tip = document.getElementById(chip.getAttribute("aria-describedby") || "");
    if (tip) { tip.hidden = true; }
    chip.setAttribute("aria-expanded", "false");
    delete chip.dataset.pinned;
    if (openChip === chip) { openChip = null; }
  }

  function chip(number) {
    var b = el("button", { type: "button", "class": "chip", "aria-expanded": "false", "data-n": number }, number);
    b.setAttribute("aria-label", "Source " + number);
    b.addEventListener("mouseenter", function () { show(b, false); });
    b.addEventListener("mouseleave", function () { hide(b, false); });
    b.addEventListener("focus", function () { show(b, false); });
    b.addEventListener("blur", function () { hide(b, true); });
    b.addEventListener("click", function () {  // a tap pins the preview open; a second tap closes it
      if (b.dataset.pinned === "true") { hide(b, true); } else { show(b, true); }
    });
    return b;
  }

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && openChip) { hide(openChip, true); }
  });
  document.addEventListener("click", function (e) {
    if (openChip && !openChip.contains(e.target)) { hide(openChip, true); }
  });
  window.addEventListener("resize", function () {  // a phone turned round: the open preview stays on screen
    var tip = openChip && document.getElementById(openChip.getAttribute("aria-describedby") || "");
    if (tip) { place(tip, openChip); }
  });

  // "text [1] more [2]" -> text and chips
  function withChips(parent, text) {
    var re = /\[(\d+)\]/g, last = 0, m;
    while ((m = re.exec(text)) !== null) {
      parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      var wrap = el("span", { "class": "chip-wrap" });
      wrap.appendChild(chip(m[1]));
      parent.appendChild(wrap);
      last = m.index + m[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function squash(text) { return (text || "").replace(/\s+/g, " ").trim(); }

  // the passage quoted from where the answer's sentence starts (a passage may hold several paragraphs)
  function excerpt(c, points) {
    var quote = squash(c.quote), start = 0;
    (points || []).some(function (p) {
      if ((p.citations || []).indexOf(c.number) < 0) { return false; }
      var at = quote.indexOf(squash(p.text).slice(0, 40));
      if (at > 0) { start = at; }
      return true;
    });
    var text = (start ? "…" : "") + quote.slice(start);
    return text.length > 320 ? text.slice(0, 317).replace(/\s+\S*$/, "") + "…" : text;
  }

  function escapeRe(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // the answering sentence of a point whose quote does not start with it (a lead with the sentences that
  // introduce it), highlighted where the answer shows it; the text itself is unchanged
  function markFocus(ctx, points) {
    (points || []).forEach(function (p) {
      var focus = squash(p.focus);
      if (!focus || squash(p.text).indexOf(focus) <= 0) { return; }
      var re = new RegExp(focus.split(" ").map(escapeRe).join("\\s+"));
      var walker = document.createTreeWalker(ctx.answerEl, NodeFilter.SHOW_TEXT);
      for (var node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentNode.closest("mark, .preview, .lead-source")) { continue; }
        var m = re.exec(node.nodeValue);
        if (!m) { continue; }
        var run = node.splitText(m.index);
        run.splitText(m[0].length);
        var mark = el("mark", { "class": "focus", title: "The sentence that answers most directly" });
        run.parentNode.replaceChild(mark, run);
        mark.appendChild(run);
        return;
      }
    });
  }

  function previews(ctx, citations, points) {
    var byNumber = {};
    citations.forEach(function (c) { byNumber[String(c.number)] = c; });
    Array.prototype.forEach.call(ctx.answerEl.querySelectorAll(".chip"), function (b, i) {
      var c = byNumber[b.getAttribute("data-n")];
      if (!c) { return; }
      var id = "preview-" + ctx.n + "-" + i;
      var quote = excerpt(c, points);
      var tip = el("span", { id: id, role: "tooltip", "class": "preview" });
      tip.appendChild(el("span", { "class": "preview-quote" }, "“" + quote + "”"));
      tip.appendChild(el("span", { "class": "preview-where" }, c.title + (locator(c) ? ", " + locator(c) : "")));
      tip.hidden = true;
      b.parentNode.appendChild(tip);
      b.setAttribute("aria-describedby", id);
    });
  }

  // --- the answer ---------------------------------------------------------------------------------

  function start(log, n, question) {
    var ex = el("article", { "class": "exchange", "aria-labelledby": "asked-" + n });
    var asked = el("h3", { "class": "asked", id: "asked-" + n, tabindex: "-1" }, "You asked: " + question);
    ex.appendChild(asked);
    var answerEl = el("div", { "class": "answer" });
    ex.appendChild(answerEl);
    log.appendChild(ex);
    return { n: n, ex: ex, asked: asked, answerEl: answerEl, list: null };
  }

  function meta(ctx, m) {
    ctx.asked.textContent = "You asked: " + m.question;
    ctx.evidence = m.evidence;
    if (m.safeguarding_notice) {
      var box = el("div", { "class": "safeguarding", role: "note", "aria-label": "Safeguarding" });
      var p = el("p");
      p.appendChild(el("strong", null, "Safeguarding: "));
      p.appendChild(document.createTextNode(m.safeguarding_notice));
      box.appendChild(p);
      ctx.ex.insertBefore(box, ctx.answerEl);
    }
    if (m.personal_data_notice) {
      ctx.ex.insertBefore(el("p", { "class": "personal" }, m.personal_data_notice), ctx.answerEl);
    }
    if (m.declined) { ctx.ex.classList.add("declined"); }
  }

  // a point quoting a list ("... should consider: • The first; • The second. [1]"): the lead-in, then one
  // item a line with its marker kept as text (so that a selection is still the quote), the chip at the end
  var BULLET = /\s(?=[•●▪◦‣∙·\uf0b7]\s)/;

  function withItems(parent, text) {
    var parts = text.split(BULLET);
    if (parts.length < 2) { withChips(parent, text); return; }
    var lead = el("p");
    withChips(lead, parts.shift());
    parent.appendChild(lead);
    var ul = el("ul", { "class": "quoted-list" });
    parts.forEach(function (item) {
      var li = el("li");
      withChips(li, item);
      ul.appendChild(li);
    });
    parent.appendChild(ul);
  }

  function line(ctx, raw) {
    var text = raw.replace(/\n$/, "");
    if (!text.trim()) { ctx.list = null; return; }
    if (/^- /.test(text)) {
      if (!ctx.list) { ctx.list = el("ul"); ctx.answerEl.appendChild(ctx.list); }
      var li = el("li");
      withItems(li, text.slice(2));
      ctx.list.appendChild(li);
    } else {
      ctx.list = null;
      if (BULLET.test(text)) {
        withItems(ctx.answerEl, text);
        return;
      }
      var p = el("p", /:$/.test(text) ? { "class": "lead-source" } : null);
      withChips(p, text);
      ctx.answerEl.appendChild(p);
    }
  }

  function sectionLinks(ctx, sections, key, heading) {
    if (!sections || !sections.length) { return; }
    var cid = key + "-" + ctx.n;
    var wrap = el("div", { "class": "closest" });
    wrap.appendChild(el("h4", { id: cid }, heading));
    var ul = el("ul", { "aria-labelledby": cid });
    sections.forEach(function (s) {
      var li = el("li");
      li.appendChild(el("a", { href: s.url }, s.title));
      var loc = locator(s);
      if (loc) { li.appendChild(document.createTextNode(" – " + loc)); }
      ul.appendChild(li);
    });
    wrap.appendChild(ul);
    ctx.ex.appendChild(wrap);
  }

  function sources(ctx, data) {
    markFocus(ctx, data.points);
    if (data.evidence_note) {
      ctx.ex.appendChild(el("p", { "class": "evidence evidence-" + (ctx.evidence || "") }, data.evidence_note));
    }
    var cites = data.citations || [];
    if (cites.length) {
      var wrap = el("div", { "class": "citations" });
      var hid = "sources-" + ctx.n;
      wrap.appendChild(el("h4", { id: hid }, "Sources"));
      var ol = el("ol", { "aria-labelledby": hid });
      cites.forEach(function (c) {
        var li = el("li", { id: "cite-" + ctx.n + "-" + c.number, value: String(c.number) });
        li.appendChild(el("a", { href: c.url }, c.title));
        li.appendChild(document.createTextNode(" "));
        li.appendChild(el("span", { "class": "badge badge-" + c.status, title: c.status_label }, c.status));
        var where = locator(c) + (c.published && c.title.indexOf(c.published) < 0 ? " · " + c.published : "");
        li.appendChild(el("div", { "class": "cite-meta" }, where));
        ol.appendChild(li);
      });
      wrap.appendChild(ol);
      ctx.ex.appendChild(wrap);
      previews(ctx, cites, data.points);
    }
    sectionLinks(ctx, data.related_sections, "related", "Related sections");
    sectionLinks(ctx, data.closest_sections, "closest", "Closest sections in the guidance");
    if (data.legend) { ctx.ex.appendChild(el("p", { "class": "legend" }, data.legend)); }
  }

  // --- copy ---------------------------------------------------------------------------------------

  function plainAnswer(record) {
    var a = record.done.answer, out = [];
    if (a.safeguarding_notice) { out.push("Safeguarding: " + a.safeguarding_notice, ""); }
    out.push(record.body.join("").trim());
    if (record.done.evidence_note) { out.push("", record.done.evidence_note); }
    var abs = function (u) { return /^https?:/.test(u) ? u : window.location.origin + u; };
    if (a.citations.length) {
      out.push("", "Sources:");
      a.citations.forEach(function (c) {
        out.push("[" + c.number + "] " + c.title + (locator(c) ? ", " + locator(c) : "") + " (" + c.status + ")");
        out.push("    " + abs(c.url) + (c.source_url ? "\n    " + c.source_url : ""));
      });
    }
    var more = a.declined ? a.closest_sections : a.related_sections;
    if (more && more.length) {
      out.push("", a.declined ? "Closest sections:" : "Related sections:");
      more.forEach(function (s) { out.push("- " + s.title + (locator(s) ? ", " + locator(s) : "") + " " + abs(s.url)); });
    }
    if (a.legend) { out.push("", a.legend); }
    return out.join("\n");
  }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    return new Promise(function (resolve, reject) {
      var t = el("textarea", { "aria-hidden": "true", "class": "visually-hidden" });
      t.value = text;
      document.body.appendChild(t);
      t.select();
      var ok = document.execCommand("copy");
      document.body.removeChild(t);
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  // --- tools: copy and one-click feedback -----------------------------------------------------------

  function tools(ctx, record, onFeedback) {
    var bar = el("div", { "class": "answer-tools" });
    var copy = el("button", { type: "button", "class": "secondary copy" }, "Copy answer");
    var said = el("p", { "class": "tool-status", role: "status" });
    copy.addEventListener("click", function () {
      copyText(plainAnswer(record)).then(function () { said.textContent = "Answer and sources copied."; },
        function () { said.textContent = "Copying was refused by the browser: select the text instead."; });
    });
    bar.appendChild(copy);
    if (record.done.transcript_id) { bar.appendChild(feedback(ctx, record, onFeedback, said)); }
    bar.appendChild(said);
    ctx.ex.appendChild(bar);
  }

  function feedback(ctx, record, onFeedback, said) {
    var group = el("div", { "class": "feedback", role: "group", "aria-labelledby": "fbq-" + ctx.n });
    group.appendChild(el("span", { id: "fbq-" + ctx.n, "class": "fb-question" }, "Was this helpful?"));
    var yes = el("button", { type: "button", "aria-pressed": "false", "class": "fb-helpful" }, "Helpful");
    var no = el("button", { type: "button", "aria-pressed": "false", "class": "fb-unhelpful" }, "Not helpful");
    var more = el("div", { "class": "fb-comment" });
    var cid = "fb-comment-" + ctx.n;
    more.appendChild(el("label", { "for": cid }, "Comment (optional, no personal details)"));
    var comment = el("textarea", { id: cid, rows: "2", maxlength: "2000" });
    more.appendChild(comment);
    var send = el("button", { type: "button", "class": "secondary" }, "Send comment");
    more.appendChild(send);
    more.hidden = true;
    var state = record.feedback || null;

    function pressed() {
      yes.setAttribute("aria-pressed", state && state.helpful === true ? "true" : "false");
      no.setAttribute("aria-pressed", state && state.helpful === false ? "true" : "false");
      more.hidden = !state;
    }
    function post(body, thanks) {
      body.transcript_id = record.done.transcript_id;
      return fetch("/api/feedback", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
      }).then(function (r) {
        return r.json().then(function (out) {
          if (!r.ok) { throw new Error(out.message || "Feedback could not be sent."); }
          said.textContent = thanks;
          return out;
        });
      }).catch(function (err) { said.textContent = err.message; throw err; });
    }
    function click(helpful) {
      var body = { helpful: helpful, update: !!state, feedback_id: state ? state.id : null };
      post(body, "Thank you: your feedback was recorded.").then(function (out) {
        state = { helpful: helpful, id: out.feedback_id || (state && state.id) || null };
        pressed();
        onFeedback(state);
      }, function () { /* said already */ });
    }
    yes.addEventListener("click", function () { click(true); });
    no.addEventListener("click", function () { click(false); });
    send.addEventListener("click", function () {
      if (!state || !comment.value.trim()) { comment.focus(); return; }
      post({ helpful: state.helpful, comment: comment.value, update: true, feedback_id: state.id },
        "Thank you: your comment was added.").then(function () { comment.value = ""; }, function () {});
    });
    group.appendChild(yes);
    group.appendChild(no);
    group.appendChild(more);
    pressed();
    return group;
  }

  window.VshRender = { start: start, meta: meta, line: line, sources: sources, tools: tools, el: el };
})();
