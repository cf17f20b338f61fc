// Progressive enhancements only: the forms work without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");
  document.body.classList.add("has-js");

  // Skill suggestions from the server: diacritic-insensitive, Vietnamese and English.
  var input = document.getElementById("skill_add");
  var list = document.getElementById("skill-options");
  if (input && list && window.fetch) {
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) { return; }
        fetch(input.dataset.suggest + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (hits) {
            if (!hits.length) { return; }
            list.innerHTML = "";
            hits.forEach(function (h) {
              var o = document.createElement("option");
              o.value = h.label;
              o.label = h.other;
              list.appendChild(o);
            });
          });
      }, 200);
    });
  }

  // Show only the districts and wards of the chosen province and district.
  function narrow(parent, child) {
    var p = document.getElementById(parent), c = document.getElementById(child);
    if (!p || !c) { return; }
    function apply() {
      Array.prototype.forEach.call(c.querySelectorAll("optgroup"), function (g) {
        var show = !p.value || g.dataset.parent === p.value;
        g.hidden = !show;
        g.disabled = !show;
      });
    }
    p.addEventListener("change", function () { c.value = ""; c.dispatchEvent(new Event("change")); apply(); });
    apply();
  }
  narrow("province", "district");
  narrow("district", "ward");

  // The referral slip's print button (no inline handlers: the CSP forbids them).
  var print = document.getElementById("print-slip");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
})();
