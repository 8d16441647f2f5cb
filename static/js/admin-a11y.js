// Accessible names for the admin's autocomplete widgets.
//
// Django's admin draws its autocomplete fields with the select2 library it bundles, whose
// widgets carry no accessible name of their own: the combobox is "labelled by" the text of
// the current choice (nothing, when there is none), the search box and the list of results
// are unnamed, and a multiple choice puts its "remove all" button straight inside a list.
// Screen readers then announce an unnamed combobox (axe: critical and serious).  This file
// names each one after the field's label (or the aria-label of a row's input, for the
// speakers table), whenever select2 draws one: on load, for each new row, and each time a
// dropdown opens.  It changes no behaviour.
(function () {
  "use strict";
  var counter = 0;

  // The id of an element whose text names the field of the original <select>.
  function nameId(select) {
    if (select.dataset.nameId) { return select.dataset.nameId; }
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    var id;
    if (label) {
      id = label.id || (label.id = select.id + "-label");
    } else {
      var text = select.getAttribute("aria-label");
      if (!text) { return ""; }
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.id = id = "select2-name-" + (++counter);
      hidden.textContent = text;
      select.parentNode.insertBefore(hidden, select);
    }
    select.dataset.nameId = id;
    return id;
  }

  function originalSelect(container) {
    var before = container.previousElementSibling;
    return before && before.tagName === "SELECT" ? before : null;
  }

  function nameContainer(container) {
    var select = originalSelect(container);
    var id = select && nameId(select);
    if (!id) { return; }
    container.querySelectorAll(".select2-selection").forEach(function (box) {
      var rendered = box.querySelector(".select2-selection__rendered");
      // The field's name, then the current choice (a single select shows it in "rendered").
      var ids = [id];
      if (rendered && rendered.id && box.classList.contains("select2-selection--single")) {
        ids.push(rendered.id);
      }
      box.setAttribute("aria-labelledby", ids.join(" "));
      // select2 points an open combobox at its list with aria-owns; ARIA 1.2 asks for
      // aria-controls.
      var owns = box.getAttribute("aria-owns");
      if (owns) { box.setAttribute("aria-controls", owns); } else { box.removeAttribute("aria-controls"); }
      if (rendered) {
        // The text of the choice, not a second, read-only text box.
        rendered.removeAttribute("role");
        rendered.removeAttribute("aria-readonly");
      }
    });
    container.querySelectorAll(".select2-search__field").forEach(function (field) {
      field.setAttribute("aria-labelledby", id);
    });
    // "Remove all" inside the list of chosen values: a list may hold only list items.
    container.querySelectorAll("ul.select2-selection__rendered > .select2-selection__clear")
      .forEach(function (clear) { clear.setAttribute("role", "listitem"); });
  }

  // An open dropdown (drawn at the end of <body>) belongs to the container marked open.
  function nameDropdown(dropdown) {
    var open = null;
    var containers = document.querySelectorAll(".select2-container--open");
    for (var i = 0; i < containers.length; i++) {
      if (originalSelect(containers[i])) { open = containers[i]; break; }
    }
    var select = open && originalSelect(open);
    var id = select && nameId(select);
    if (!id) { return; }
    dropdown.querySelectorAll(".select2-search__field, .select2-results__options").forEach(
      function (el) { el.setAttribute("aria-labelledby", id); }
    );
  }

  function sweep() {
    document.querySelectorAll("select + .select2-container").forEach(nameContainer);
    document.querySelectorAll(".select2-dropdown").forEach(nameDropdown);
  }

  // A row added with "Add another" is a copy of the empty row, named "the new speaker";
  // give its inputs the row's number, as the rows drawn by the server have.
  document.addEventListener("formset:added", function (event) {
    var row = event.target;
    var named = row.querySelector("[name$='-speaker']");
    var match = named && /-(\d+)-/.exec(named.name);
    if (!match) { return; }
    var which = "speaker " + (Number(match[1]) + 1);
    row.querySelectorAll("[aria-label]").forEach(function (el) {
      el.setAttribute("aria-label", el.getAttribute("aria-label")
        .replace("The new speaker", which.charAt(0).toUpperCase() + which.slice(1))
        .replace("the new speaker", which));
    });
  });

  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; sweep(); });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", sweep);
})();
