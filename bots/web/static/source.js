// Source viewer: bring the cited passage into view (the #p-N fragment usually does; this covers the rest), and
// point "Back to the chat" at the conversation the reader came from (/?c=<id>), not at an empty chat.
(function () {
  "use strict";
  var back = document.querySelector("a.back-to-chat");
  if (back && document.referrer) {
    try {
      var from = new URL(document.referrer);
      if (from.origin === window.location.origin && from.pathname === "/" && from.search) {
        back.setAttribute("href", "/" + from.search);
      }
    } catch (e) { /* not a URL: keep the plain link */ }
  }
  var current = document.querySelector(".passage.highlight");
  if (!current) { return; }
  var hash = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  if (!hash) { current.scrollIntoView({ block: "start" }); }
})();
