// The workspace's only script (everything works without it): while a clerk types part of a
// unit's name for a message that needs a person, the matching units appear as choices at once,
// folded on the server exactly as the matcher folds names.
(function () {
  "use strict";
  var timer = null;
  function show(box, units) {
    var kept = {};
    box.querySelectorAll("input[name=unit]:checked").forEach(function (input) {
      kept[input.value] = input.closest("label");
    });
    box.textContent = "";
    Object.keys(kept).forEach(function (code) { box.appendChild(kept[code]); });
    units.forEach(function (u) {
      if (kept[u.code]) { return; }
      var label = document.createElement("label");
      label.className = "choice";
      var input = document.createElement("input");
      input.type = "checkbox"; input.name = "unit"; input.value = u.code;
      var strong = document.createElement("strong");
      strong.textContent = u.code;
      label.appendChild(input); label.appendChild(document.createTextNode(" "));
      label.appendChild(strong); label.appendChild(document.createTextNode(" " + u.name));
      box.appendChild(label);
    });
  }
  document.querySelectorAll("input[data-search-for]").forEach(function (field) {
    var key = field.getAttribute("data-search-for");
    var box = document.querySelector("[data-choices-for='" + key + "']");
    if (!box) { return; }
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = field.value.trim();
        if (!q) { return; }
        fetch("units.json?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (units) { show(box, units); });
      }, 150);
    });
  });
})();
