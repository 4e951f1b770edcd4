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
  L.circleMarker([lat, lng], { radius: 9, color: "#c62828", fillOpacity: 0.8 }).addTo(map);
})();
