// Suggestions under a search box (speakers, events, countries, topics), for every input with
// data-autocomplete (templates/includes/search_box.html).
//
// Each suggestion is a link to a filtered search, so they are shown as what they are: a
// list of links under the box, with a visible title that names it.  The input stays a plain
// search box (no combobox role, no aria-expanded); a status line says how many suggestions
// there are and how to reach them.  Down moves from the box into the list, Up and Down move
// within it, Escape closes it and returns to the box.  The page works without this file:
// the form is a plain GET form.
(function () {
  "use strict";
  if (!window.fetch) { return; }
  // The words come from the page (data-* attributes of the box, translated by the
  // template), so this file holds no text of its own and needs no catalogue.
  function words(input) {
    var d = input.dataset;
    return {
      names: { speaker: d.kindSpeaker || "Speaker", event: d.kindEvent || "Event",
               country: d.kindCountry || "Country", topic: d.kindTopic || "Topic" },
      one: d.statusOne || "1 suggestion below the search box; press Down to reach it.",
      many: d.statusMany || "{count} suggestions below the search box; press Down to reach them."
    };
  }

  function attach(input) {
    var box = document.getElementById(input.getAttribute("data-suggestions"));
    var status = document.getElementById(input.getAttribute("data-status"));
    var list = box && box.querySelector("ul");
    if (!list) { return; }
    var endpoint = input.getAttribute("data-autocomplete");
    var timer = null;
    var text = words(input);
    var names = text.names;
    var controller = null;

    function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }

    function say(text) { if (status) { status.textContent = text; } }

    function close() {
      list.textContent = "";
      box.hidden = true;
    }

    function show(results) {
      list.textContent = "";
      results.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = item.url;
        a.dir = "auto";  // a name in either script keeps its own order
        // textContent, never innerHTML: labels come from the archive.
        a.textContent = item.label + " ";
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = "(" + (names[item.type] || item.type) + ")";
        a.appendChild(kind);
        li.appendChild(a);
        list.appendChild(li);
      });
      box.hidden = results.length === 0;
      if (results.length) {
        say(results.length === 1 ? text.one : text.many.replace("{count}", String(results.length)));
      } else {
        say("");
      }
    }

    function lookup() {
      var term = input.value.trim();
      if (term.length < 2 || term.length > 100 || term.indexOf(":") !== -1) { close(); say(""); return; }
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
      if (e.key === "Escape" && !box.hidden) { e.preventDefault(); close(); }
      if (e.key === "ArrowDown" && !box.hidden) {
        var first = links()[0];
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    list.addEventListener("keydown", function (e) {
      var all = links();
      var i = all.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && i < all.length - 1) { e.preventDefault(); all[i + 1].focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? all[i - 1] : input).focus(); }
      if (e.key === "Escape") { e.preventDefault(); close(); input.focus(); }
    });
    document.addEventListener("click", function (e) {
      if (e.target !== input && !box.contains(e.target)) { close(); }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-autocomplete]"), attach);
})();
