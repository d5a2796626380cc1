/* Keyboard shortcuts of the /review pages (a file, not inline: the Content-Security-Policy forbids inline script).
   Transcript screen: 1-4 verdict (focus goes to "Save and next", so Enter saves), a approve, n/p next/previous,
   j/k next/previous citation (Enter or Space opens it), c comment, e corrected answer. List: n opens the first
   transcript, j/k move through the list. Keys typed into a field stay in the field (Escape leaves it;
   Ctrl+Enter in the comment saves). Drafts of the verdict and comment survive a reload and a lapsed session. */
(function () {
  "use strict";
  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable ||
      (tag === "INPUT" && ["radio", "checkbox", "submit", "button"].indexOf(el.type) < 0);
  }
  function go(id) {
    var link = document.getElementById(id);
    if (link) { window.location.href = link.href; }
  }
  function moveFocus(selector, step) {
    var items = Array.prototype.slice.call(document.querySelectorAll(selector));
    if (!items.length) { return; }
    var at = items.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, at + step));
    items[next].focus();
    items[next].scrollIntoView({ block: "nearest" });
  }
  /* Drafts: a transcript's verdict, approval and comment are kept in this tab (sessionStorage) while the reviewer
     works, so a reload, or a session that ended before "Save and next" (signing in again leads back to the
     transcript), loses nothing. The draft is dropped when the page after the save says it was saved. */
  var SENT = "vsh-review-sent";
  function draftKey(id) { return "vsh-review-draft:" + id; }
  function keepDrafts(form) {
    var id = form.getAttribute("data-transcript");
    var comment = document.getElementById("comment");
    var approve = document.getElementById("approve");
    var draft = JSON.parse(sessionStorage.getItem(draftKey(id)) || "null");
    if (draft) {
      var radio = form.querySelector("input[name=verdict][value='" + draft.verdict + "']");
      if (radio && !form.querySelector("input[name=verdict]:checked")) { radio.checked = true; }
      if (!comment.value) { comment.value = draft.comment || ""; }
      if (draft.approve) { approve.checked = true; }
    }
    function save() {
      var checked = form.querySelector("input[name=verdict]:checked");
      sessionStorage.setItem(draftKey(id), JSON.stringify(
        { verdict: checked ? checked.value : "", comment: comment.value, approve: approve.checked }));
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () { save(); sessionStorage.setItem(SENT, id); });
  }
  try {
    var sent = sessionStorage.getItem(SENT);
    if (sent && document.querySelector("[data-verdict-saved]")) {
      sessionStorage.removeItem(draftKey(sent));
      sessionStorage.removeItem(SENT);
    }
    var draftForm = document.querySelector(".verdict-form");
    if (draftForm) { keepDrafts(draftForm); }
  } catch (ignored) { /* storage unavailable: the page works without drafts */ }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Escape" && typing(target)) { target.blur(); return; }
    if (event.key === "Enter" && event.ctrlKey && target.id === "comment") {
      event.preventDefault();
      document.getElementById("save").click();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(target)) { return; }
    var form = document.querySelector(".verdict-form");
    var key = event.key;
    if (form) {
      var radios = form.querySelectorAll("input[name=verdict]");
      if (/^[1-4]$/.test(key) && radios[Number(key) - 1]) {
        radios[Number(key) - 1].checked = true;
        form.dispatchEvent(new Event("change"));
        document.getElementById("save").focus();
        event.preventDefault();
      } else if (key === "a") {
        var approve = document.getElementById("approve");
        approve.checked = !approve.checked;
        form.dispatchEvent(new Event("change"));
        document.getElementById("save").focus();
        event.preventDefault();
      } else if (key === "c") {
        document.getElementById("comment").focus();
        event.preventDefault();
      } else if (key === "e") {
        var box = document.getElementById("correct");
        box.open = true;
        document.getElementById("corrected-text").focus();
        event.preventDefault();
      } else if (key === "n") { go("next"); }
      else if (key === "p") { go("prev"); }
      else if (key === "j") { moveFocus(".cite summary", 1); event.preventDefault(); }
      else if (key === "k") { moveFocus(".cite summary", -1); event.preventDefault(); }
      return;
    }
    if (key === "n") { go("start"); }
    else if (key === "j") { moveFocus(".row-link", 1); event.preventDefault(); }
    else if (key === "k") { moveFocus(".row-link", -1); event.preventDefault(); }
  });
})();
