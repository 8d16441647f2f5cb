// The search filters are a <details>, so that a phone shows one "Filters" line above the
// results.  On a wide screen they are a sidebar: search.css shows them there even closed
// (::details-content, so it works without JavaScript), and this opens the element as well,
// so that browsers without ::details-content show them and assistive technology is told the
// state the reader sees.
(function () {
  "use strict";
  var filters = document.getElementById("filters");
  if (!filters || !window.matchMedia) { return; }
  var wide = window.matchMedia("(min-width: 48rem)");
  function follow() { if (wide.matches) { filters.open = true; } }
  follow();
  if (wide.addEventListener) { wide.addEventListener("change", follow); }
})();
