// A read-only map with the report's pin. Works without tiles (no network): the
// pin and the coordinates are still shown.
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  if (!el || typeof L === "undefined") return;
  var lat = parseFloat(el.dataset.lat), lng = parseFloat(el.dataset.lng);
  if (isNaN(lat) || isNaN(lng)) return;
  var map = L.map(el).setView([lat, lng], 17);
  L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
  // The pin wears the report's public colour (data-colour), as on the city map:
  // a red pin beside a "Done" badge would say the opposite of the badge.
  var HEX = { red: "#c62828", yellow: "#f9a825", green: "#2e7d32", grey: "#757575" };
  var colour = HEX[el.dataset.colour] ? el.dataset.colour : "red";
  L.circleMarker([lat, lng], {
    radius: 9,
    color: HEX[colour],
    fillOpacity: 0.8,
    className: "report-pin report-pin-" + colour,
  }).addTo(map);
})();
