// The report form's map: a pin by tap, or the device's location. The page works
// without tiles (no network) and without this script (the photo's GPS is used).
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var lat = document.getElementById("id_latitude");
  var lng = document.getElementById("id_longitude");
  var source = document.getElementById("id_location_source");
  var status = document.getElementById("pin-status");
  var map = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)],
                              parseInt(el.dataset.zoom, 10));
  L.tileLayer(el.dataset.tileUrl, { maxZoom: 19, attribution: el.dataset.attribution }).addTo(map);
  var marker = null;

  function place(latlng, how) {
    if (marker) { marker.setLatLng(latlng); } else {
      marker = L.marker(latlng, { draggable: true }).addTo(map);
      marker.on("dragend", function () { place(marker.getLatLng(), "pin"); });
    }
    lat.value = latlng.lat.toFixed(6);
    lng.value = latlng.lng.toFixed(6);
    source.value = how;
    status.textContent = lat.value + ", " + lng.value;
  }

  if (lat.value && lng.value) {
    var start = L.latLng(parseFloat(lat.value), parseFloat(lng.value));
    place(start, source.value || "pin");
    map.setView(start, 16);
  }
  map.on("click", function (e) { place(e.latlng, "pin"); });

  var button = document.getElementById("use-location");
  if (!navigator.geolocation) { button.hidden = true; return; }
  button.addEventListener("click", function () {
    status.textContent = "…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
      place(here, "device");
      map.setView(here, 17);
    }, function (err) {
      status.textContent = err.message;
    }, { enableHighAccuracy: true, timeout: 15000 });
  });
})();
