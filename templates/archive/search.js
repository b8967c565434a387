// Static search over every briefing: no server, works from file://. Builds the result list
// with textContent only, so nothing from the index is ever parsed as HTML.
(function () {
  "use strict";
  var index = window.BRIEFING_INDEX || [];
  var params = new URLSearchParams(window.location.search);
  var query = (params.get("q") || "").trim();
  var box = document.getElementById("q");
  var list = document.getElementById("results");
  var status = document.getElementById("status");
  box.value = query;
  if (!query) { status.textContent = index.length + " briefings indexed."; return; }
  var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  var hits = index.filter(function (doc) {
    var hay = (doc.title + " " + doc.text).toLowerCase();
    return terms.every(function (t) { return hay.indexOf(t) !== -1; });
  });
  status.textContent = hits.length + " briefing(s) match \u201c" + query + "\u201d.";
  hits.forEach(function (doc) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = doc.url;
    a.textContent = doc.title;
    var p = document.createElement("div");
    p.className = "meta";
    var text = doc.text, at = text.toLowerCase().indexOf(terms[0]);
    p.textContent = (at > 60 ? "\u2026" : "") + text.slice(Math.max(0, at - 60), at + 140) + "\u2026";
    li.appendChild(a);
    li.appendChild(p);
    list.appendChild(li);
  });
}());
