// Suggestions under the search box (speakers, events, countries, topics).
// The page works without this file: the form is a plain GET form.
(function () {
  "use strict";
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-suggestions");
  if (!input || !list || !window.fetch) { return; }
  var endpoint = input.getAttribute("data-autocomplete");
  var timer = null;
  var controller = null;
  var names = { speaker: "Speaker", event: "Event", country: "Country", topic: "Topic" };

  function clear() {
    list.textContent = "";
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function show(results) {
    list.textContent = "";
    results.forEach(function (item, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "search-suggestion-" + i;
      var a = document.createElement("a");
      a.href = item.url;
      // textContent, never innerHTML: labels come from the archive.
      a.textContent = item.label;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = names[item.type] || item.type;
      a.appendChild(document.createTextNode(" "));
      a.appendChild(kind);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = results.length === 0;
    input.setAttribute("aria-expanded", results.length ? "true" : "false");
  }

  function lookup() {
    var term = input.value.trim();
    if (term.length < 2 || term.length > 100 || term.indexOf(":") !== -1) { clear(); return; }
    if (controller) { controller.abort(); }
    controller = new AbortController();
    fetch(endpoint + "?q=" + encodeURIComponent(term), { signal: controller.signal })
      .then(function (r) { return r.ok ? r.json() : { results: [] }; })
      .then(function (data) { show(data.results || []); })
      .catch(function () { /* aborted or offline: keep the plain form */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookup, 200);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { clear(); }
    if (e.key === "ArrowDown" && !list.hidden) {
      var first = list.querySelector("a");
      if (first) { e.preventDefault(); first.focus(); }
    }
  });
  list.addEventListener("keydown", function (e) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    var i = links.indexOf(document.activeElement);
    if (e.key === "ArrowDown" && i < links.length - 1) { e.preventDefault(); links[i + 1].focus(); }
    if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
    if (e.key === "Escape") { clear(); input.focus(); }
  });
  document.addEventListener("click", function (e) {
    if (e.target !== input && !list.contains(e.target)) { clear(); }
  });
})();
