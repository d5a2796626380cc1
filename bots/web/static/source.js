// Source viewer: bring the cited passage into view (the #p-N fragment usually does; this covers the rest).
(function () {
  "use strict";
  var current = document.querySelector(".passage.highlight");
  if (!current) { return; }
  var hash = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  if (!hash) { current.scrollIntoView({ block: "start" }); }
})();
