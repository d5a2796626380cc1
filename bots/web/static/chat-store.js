// Conversations kept in this browser (localStorage), so that a reload, Back or a link (/?c=<id>) shows them again.
// A record: {id, title, updated, exchanges: [{question, body: [lines], done: <the `done` event>, feedback}]}.
(function () {
  "use strict";
  var KEY = "vsh-conversations";
  var MAX_CONVERSATIONS = 20;
  var MAX_EXCHANGES = 40;

  function readAll() {
    try {
      var data = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(data) ? data : [];
    } catch (e) { return []; }
  }

  function writeAll(items) {
    items.sort(function (a, b) { return (b.updated || "").localeCompare(a.updated || ""); });
    items = items.slice(0, MAX_CONVERSATIONS);
    while (true) {
      try { localStorage.setItem(KEY, JSON.stringify(items)); return true; }
      catch (e) {  // storage full (or refused): drop the oldest conversation and try again
        if (items.length <= 1) { return false; }
        items.pop();
      }
    }
  }

  window.VshStore = {
    list: function () { return readAll(); },
    get: function (id) {
      var found = null;
      readAll().forEach(function (c) { if (c.id === id) { found = c; } });
      return found;
    },
    save: function (record) {
      record.updated = new Date().toISOString();
      record.exchanges = record.exchanges.slice(-MAX_EXCHANGES);
      var items = readAll().filter(function (c) { return c.id !== record.id; });
      items.push(record);
      return writeAll(items);
    },
    clear: function () { try { localStorage.removeItem(KEY); } catch (e) { /* nothing stored */ } },
    idFromUrl: function () {
      var id = new URLSearchParams(window.location.search).get("c");
      return id && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : null;
    },
    linkTo: function (id) { return id ? "/?c=" + encodeURIComponent(id) : "/"; }
  };
})();
