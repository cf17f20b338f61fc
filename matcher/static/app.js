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

  // The ward list follows the province, and typing narrows it without diacritics
  // ("sam son" finds Phường Sầm Sơn): both ask the server, which folds Vietnamese.
  var province = document.getElementById("province_code");
  var ward = document.getElementById("ward");
  var wardList = document.getElementById("ward-options");
  if (province && ward && wardList && window.fetch) {
    var wardTimer = null;
    var fill = function (q) {
      if (!province.value) { wardList.innerHTML = ""; return; }
      var url = province.dataset.wards + "?province=" + encodeURIComponent(province.value) +
        (q ? "&q=" + encodeURIComponent(q) : "");
      fetch(url, {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (hits) {
          wardList.innerHTML = "";
          hits.forEach(function (h) {
            var o = document.createElement("option");
            o.value = h.name;
            o.label = h.folded;  // so the browser's own filter also matches "sam son"
            wardList.appendChild(o);
          });
        });
    };
    province.addEventListener("change", function () { ward.value = ""; fill(""); });
    ward.addEventListener("input", function () {
      clearTimeout(wardTimer);
      wardTimer = setTimeout(function () { fill(ward.value.trim()); }, 150);
    });
  }

  // The referral slip's print button (no inline handlers: the CSP forbids them).
  var print = document.getElementById("print-slip");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
})();
