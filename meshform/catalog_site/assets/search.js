// meshform catalog search: filters the JSON index embedded in the page (#search-index). Every term of the query
// must occur in an entry; exact and prefix matches of the name come first. Results are built with DOM nodes and
// textContent only, so no indexed value is ever parsed as HTML.
(function () {
  "use strict";
  var entries = JSON.parse(document.getElementById("search-index").textContent);
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var LIMIT = 50;

  function rank(entry, query) {
    var name = entry.name.toLowerCase();
    if (name === query) { return 0; }
    if (name.indexOf(query) === 0) { return 1; }
    if (name.indexOf(query) >= 0) { return 2; }
    return 3;
  }

  function show(raw) {
    var query = raw.trim().toLowerCase();
    var terms = query.split(/\s+/).filter(function (t) { return t.length > 0; });
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (terms.length === 0) { status.textContent = ""; return; }
    var hits = entries.filter(function (e) {
      return terms.every(function (t) { return e.text.indexOf(t) >= 0; });
    });
    hits.sort(function (a, b) {
      return (rank(a, query) - rank(b, query)) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
    status.textContent = hits.length === 0 ? "No match for \u201c" + raw.trim() + "\u201d." :
      hits.length + (hits.length === 1 ? " result" : " results") + (hits.length > LIMIT ? ", first " + LIMIT + " shown" : "");
    hits.slice(0, LIMIT).forEach(function (e) {
      var item = document.createElement("li");
      item.className = "result result-" + e.kind;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = e.kind;
      var link = document.createElement("a");
      link.href = e.href;
      link.textContent = e.name;
      item.appendChild(kind);
      item.appendChild(link);
      var title = document.createElement("span");
      title.className = "muted";
      title.textContent = " \u00b7 " + e.title + (e.snippet ? " \u2014 " + e.snippet : "");
      item.appendChild(title);
      list.appendChild(item);
    });
  }

  input.addEventListener("input", function () { show(input.value); });
  var initial = new URLSearchParams(window.location.search).get("q");
  if (initial) { input.value = initial; show(initial); }
})();
