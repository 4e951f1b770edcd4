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
  var twins = document.getElementById("twins");
  var category = document.getElementById("id_category");
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
    describe(latlng);
    showTwins();
  }

  // "Fewer twins": once a category and a pin are chosen, the open reports of the
  // same category nearby, which the citizen may support instead of filing anew.
  var twinsAsked = 0;
  if (twins && category) { category.addEventListener("change", showTwins); }

  function categoryCode() {
    var pairs = (twins.dataset.categories || "").split(" ");
    for (var i = 0; i < pairs.length; i++) {
      var pair = pairs[i].split("=");
      if (pair[0] === category.value) { return pair[1]; }
    }
    return "";
  }

  function showTwins() {
    if (!twins || !category || !window.fetch) { return; }
    var code = categoryCode();
    var asked = ++twinsAsked;
    if (!code || !lat.value || !lng.value) { listTwins([]); return; }
    var url = twins.dataset.url + "?category=" + encodeURIComponent(code) +
      "&lat=" + encodeURIComponent(lat.value) + "&lng=" + encodeURIComponent(lng.value);
    fetch(url, { headers: { "Accept": "application/json" } }).then(function (response) {
      return response.ok ? response.json() : { reports: [] };
    }).then(function (body) {
      if (asked === twinsAsked) { listTwins(body.reports || []); }
    }).catch(function () { /* offline: the form works without the panel */ });
  }

  function listTwins(reports) {
    var list = twins.querySelector(".twin-list");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    reports.forEach(function (twin) { list.appendChild(twinItem(twin)); });
    twins.hidden = reports.length === 0;
  }

  function twinItem(twin) {
    var item = document.getElementById("twin-item").content.firstElementChild.cloneNode(true);
    var thumb = item.querySelector(".thumb");
    if (twin.thumbnail) { thumb.src = twin.thumbnail; thumb.hidden = false; } else { thumb.remove(); }
    var title = item.querySelector(".twin-title");
    title.href = twin.url;
    title.textContent = twin.title;
    title.id = "twin-" + twin.ticket;
    item.querySelector(".twin-ticket").textContent = twin.ticket;
    item.querySelector(".twin-distance").textContent =
      twins.dataset.distance.replace("{n}", twin.distance);
    item.querySelector(".twin-supports").textContent = twin.supports === 1
      ? twins.dataset.supportsOne
      : twins.dataset.supportsMany.replace("{n}", twin.supports);
    var state = item.querySelector(".status");
    state.className = "status status-" + twin.colour;
    state.textContent = twin.label;
    state.title = twin.reason;
    item.querySelector(".reason").textContent = twin.reason;
    var act = item.querySelector(".twin-support");
    act.setAttribute("aria-describedby", title.id);
    if (act.tagName === "BUTTON") {
      act.setAttribute("formaction", twin.support_url);
    } else {
      act.href = twins.dataset.loginUrl + "?next=" + encodeURIComponent(twin.url);
    }
    return item;
  }

  // Name the kelurahan under the pin (or say it is outside Jakarta) at once.
  function describe(latlng) {
    if (!window.fetch || !el.dataset.locateUrl) { return; }
    var url = el.dataset.locateUrl + "?lat=" + latlng.lat.toFixed(6) + "&lng=" + latlng.lng.toFixed(6);
    fetch(url, { headers: { "Accept": "application/json" } }).then(function (response) {
      return response.json().then(function (body) { return [response.ok, body]; });
    }).then(function (result) {
      var body = result[1];
      if (result[0]) {
        status.textContent = "Kel. " + body.kelurahan + ", Kec. " + body.kecamatan + ", " + body.kota;
        status.className = "";
      } else if (body.errors && body.errors.location) {
        status.textContent = body.errors.location[0];
        status.className = "errors";
      }
    }).catch(function () { /* offline: the coordinates stay shown */ });
  }

  if (lat.value && lng.value) {
    var start = L.latLng(parseFloat(lat.value), parseFloat(lng.value));
    place(start, source.value || "pin");
    map.setView(start, 16);
  }
  map.on("click", function (e) { place(e.latlng, "pin"); });

  // Show where a geotagged photo will put the report. The server reads the same
  // EXIF itself; this only lets the citizen see it before sending.
  var photoMarker = null;
  var photos = document.querySelector("input[name=photos]");
  if (photos && window.FileReader && window.DataView) {
    photos.addEventListener("change", function () {
      var file = photos.files && photos.files[0];
      if (!file) { return; }
      var reader = new FileReader();
      reader.onload = function () {
        var gps = jpegGps(new DataView(reader.result));
        if (!gps || marker) { return; }
        var here = L.latLng(gps[0], gps[1]);
        if (photoMarker) { photoMarker.setLatLng(here); } else {
          photoMarker = L.circleMarker(here, { radius: 9, color: "#0b5cad" }).addTo(map);
        }
        map.setView(here, 16);
        status.textContent = (el.dataset.photoLabel || "") + " " +
          gps[0].toFixed(5) + ", " + gps[1].toFixed(5);
      };
      reader.readAsArrayBuffer(file.slice(0, 256 * 1024));
    });
  }

  function jpegGps(view) {
    try {
      if (view.getUint16(0) !== 0xFFD8) { return null; }
      var offset = 2;
      while (offset + 4 < view.byteLength) {
        var marker = view.getUint16(offset);
        var size = view.getUint16(offset + 2);
        if (marker === 0xFFE1 && view.getUint32(offset + 4) === 0x45786966) {
          return tiffGps(view, offset + 10);
        }
        if ((marker & 0xFF00) !== 0xFF00) { return null; }
        offset += 2 + size;
      }
    } catch (e) { /* a short or odd file: no preview */ }
    return null;
  }

  function tiffGps(view, tiff) {
    var little = view.getUint16(tiff) === 0x4949;
    var u16 = function (at) { return view.getUint16(at, little); };
    var u32 = function (at) { return view.getUint32(at, little); };
    var entries = function (ifd) {
      var found = {};
      for (var i = 0, n = u16(tiff + ifd); i < n; i++) {
        var at = tiff + ifd + 2 + i * 12;
        found[u16(at)] = at;
      }
      return found;
    };
    var ifd0 = entries(u32(tiff + 4));
    if (!ifd0[0x8825]) { return null; }
    var gps = entries(u32(ifd0[0x8825] + 8));
    var degrees = function (tag, refTag) {
      if (!gps[tag] || !gps[refTag]) { return null; }
      var at = tiff + u32(gps[tag] + 8);
      var parts = [0, 1, 2].map(function (k) {
        var den = u32(at + k * 8 + 4);
        return den ? u32(at + k * 8) / den : NaN;
      });
      var value = parts[0] + parts[1] / 60 + parts[2] / 3600;
      var ref = String.fromCharCode(view.getUint8(gps[refTag] + 8));
      return (ref === "S" || ref === "W") ? -value : value;
    };
    var lat = degrees(2, 1), lng = degrees(4, 3);
    return (isFinite(lat) && isFinite(lng) && lat !== null && lng !== null) ? [lat, lng] : null;
  }

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
