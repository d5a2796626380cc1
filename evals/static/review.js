/* Keyboard shortcuts of the /review pages (a file, not inline: the Content-Security-Policy forbids inline script).
   Transcript screen: 1-4 verdict (focus goes to "Save and next", so Enter saves), a approve, n/p next/previous,
   j/k next/previous citation (Enter or Space opens it), c comment, e corrected answer. List: n opens the first
   transcript, j/k move through the list. Keys typed into a field stay in the field (Escape leaves it;
   Ctrl+Enter in the comment saves). */
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
        document.getElementById("save").focus();
        event.preventDefault();
      } else if (key === "a") {
        var approve = document.getElementById("approve");
        approve.checked = !approve.checked;
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
