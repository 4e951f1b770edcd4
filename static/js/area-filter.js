// Narrows the kecamatan list to the chosen city and the kelurahan list to the
// chosen kecamatan. Without this script every option stays available.
(function () {
  "use strict";
  var form = document.getElementById("report-filters");
  if (!form) return;
  var chain = ["kota", "kecamatan", "kelurahan"].map(function (name) {
    return form.elements[name];
  });
  if (chain.some(function (el) { return !el; })) return;

  function narrow(parent, child) {
    var chosen = parent.value;
    Array.prototype.forEach.call(child.options, function (option) {
      var fits = !option.value || !chosen || option.dataset.parent === chosen ||
        // A kelurahan under a chosen city: its kecamatan code starts with the city's.
        (option.dataset.parent || "").indexOf(chosen + ".") === 0;
      option.hidden = !fits;
      option.disabled = !fits;
    });
    if (child.selectedOptions.length && child.selectedOptions[0].disabled) {
      child.value = "";
    }
  }
  function update() {
    narrow(chain[0], chain[1]);
    narrow(chain[1].value ? chain[1] : chain[0], chain[2]);
  }
  chain[0].addEventListener("change", update);
  chain[1].addEventListener("change", update);
  update();
})();
