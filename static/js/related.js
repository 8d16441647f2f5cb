// "Related statements" on a statement page.  Without scripts the page offers a link to the
// list; with them, the list is fetched from the search app and put in place of the link, so
// the statement page itself never waits for the search index.
(function () {
  "use strict";
  var box = document.querySelector("[data-related-url]");
  if (!box || !window.fetch || !window.DOMParser) {
    return;
  }
  fetch(box.getAttribute("data-related-url"), { headers: { Accept: "text/html" } })
    .then(function (response) {
      return response.ok ? response.text() : null;
    })
    .then(function (html) {
      if (html === null) {
        return; // search unavailable: keep the link
      }
      var section = new DOMParser().parseFromString(html, "text/html").querySelector("section");
      if (section) {
        box.replaceWith(section);
      } else {
        box.remove(); // nothing similar enough
      }
    })
    .catch(function () {
      // Network trouble: the link stays, which is the no-script page.
    });
})();
