// The public map of reports. Every element with data-portal-map becomes one:
//   data-tile-url, data-attribution      the tile server (a setting)
//   data-lat, data-lng, data-zoom        where it opens
//   data-data-url                        transparency:map-data (clusters or points)
//   data-boundaries-url                  routing:kelurahan-boundaries (GeoJSON)
//   data-filters                         the list's filters, as a query string
//   data-label-*                         the few words it shows, translated
// The server clusters the reports, so the browser draws at most a few hundred
// markers however many reports there are. With no tile server reachable the map is
// blank underneath, but the markers are drawn all the same.
(function () {
  "use strict";
  if (typeof L === "undefined") return;

  var COLOURS = ["red", "yellow", "green", "grey"];
  var HEX = { red: "#c62828", yellow: "#f9a825", green: "#2e7d32", grey: "#757575" };
  var DEBOUNCE_MS = 250;
  var MAX_ZOOM = 19;

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  function compact(count) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined, {
        notation: "compact",
        maximumFractionDigits: 1,
      }).format(count);
    } catch (e) {
      return String(count);
    }
  }

  // A ring in the shares of each colour, the count in the middle. Styles are set
  // through the DOM, not as markup, so a strict Content-Security-Policy allows them.
  function clusterIcon(cluster) {
    var size = Math.round(32 + 8 * Math.log10(Math.max(1, cluster.count)));
    var ring = document.createElement("div");
    ring.className = "map-cluster-ring";
    var stops = [];
    var at = 0;
    COLOURS.forEach(function (colour) {
      var n = cluster.colours[colour] || 0;
      if (!n) return;
      var end = at + (n / cluster.count) * 100;
      stops.push(HEX[colour] + " " + at.toFixed(2) + "% " + end.toFixed(2) + "%");
      at = end;
    });
    ring.style.background =
      stops.length > 1 ? "conic-gradient(" + stops.join(", ") + ")" : stops[0].split(" ")[0];
    var label = document.createElement("span");
    label.textContent = compact(cluster.count);
    ring.appendChild(label);
    return L.divIcon({ html: ring, className: "map-cluster", iconSize: [size, size] });
  }

  function popup(point, openLabel) {
    var box = document.createElement("div");
    box.className = "map-popup";
    var title = document.createElement("strong");
    title.textContent = point.title;
    var status = document.createElement("span");
    status.className = "status status-" + point.colour;
    status.textContent = point.label;
    var ticket = document.createElement("span");
    ticket.className = "ticket";
    ticket.textContent = point.ticket;
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = openLabel;
    [title, ticket, status, link].forEach(function (part) {
      var line = document.createElement("div");
      line.appendChild(part);
      box.appendChild(line);
    });
    return box;
  }

  function init(el) {
    var d = el.dataset;
    var map = L.map(el, {
      center: [parseFloat(d.lat), parseFloat(d.lng)],
      zoom: parseInt(d.zoom, 10),
      maxZoom: MAX_ZOOM,
    });
    L.tileLayer(d.tileUrl, { maxZoom: MAX_ZOOM, attribution: d.attribution }).addTo(map);

    // Boundaries lie under the markers, in a pane of their own.
    map.createPane("boundaries").style.zIndex = 350;
    var boundaries = L.geoJSON(null, {
      pane: "boundaries",
      style: { color: "#0b5cad", weight: 1, opacity: 0.7, fillOpacity: 0.03 },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindTooltip(p.name + ", " + p.kecamatan, { sticky: true });
      },
    });
    var boundariesLoading = false;
    var overlays = {};
    overlays[d.labelBoundaries] = boundaries;
    L.control.layers(null, overlays).addTo(map);
    map.on("overlayadd", function (event) {
      if (event.layer !== boundaries || boundariesLoading) return;
      boundariesLoading = true;
      fetch(d.boundariesUrl, { headers: { Accept: "application/geo+json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (collection) {
          boundaries.addData(collection);
          el.dataset.boundaries = "ready";
        })
        .catch(function () {
          boundariesLoading = false; // try again on the next toggle
        });
    });

    var markers = L.layerGroup().addTo(map);
    var status = el.parentNode.querySelector("[data-map-status]");
    var pending = null;
    var timer = null;

    function draw(data) {
      markers.clearLayers();
      data.clusters.forEach(function (cluster) {
        L.marker([cluster.lat, cluster.lng], {
          icon: clusterIcon(cluster),
          title: cluster.count + " " + d.labelReports,
          alt: cluster.count + " " + d.labelReports,
        })
          .on("click", function () {
            map.setView([cluster.lat, cluster.lng], Math.min(map.getZoom() + 2, MAX_ZOOM));
          })
          .addTo(markers);
      });
      data.points.forEach(function (point) {
        L.circleMarker([point.lat, point.lng], {
          radius: 8,
          color: "#fff",
          weight: 2,
          fillColor: HEX[point.colour],
          fillOpacity: 0.9,
          className: "map-point map-point-" + point.colour,
        })
          .bindPopup(popup(point, d.labelOpen))
          .addTo(markers);
      });
      el.dataset.state = "ready";
      el.dataset.total = data.total;
      if (status) {
        status.textContent =
          data.total + " " + d.labelReports + (data.truncated ? " · " + d.labelTruncated : "");
      }
    }

    function fetchNow() {
      if (pending) pending.abort();
      var controller = new AbortController();
      pending = controller;
      var b = map.getBounds();
      var box = [
        clamp(b.getWest(), -180, 180),
        clamp(b.getSouth(), -90, 90),
        clamp(b.getEast(), -180, 180),
        clamp(b.getNorth(), -90, 90),
      ];
      if (!(box[0] < box[2] && box[1] < box[3])) return;
      var query =
        "bbox=" +
        box.map(function (v) { return v.toFixed(5); }).join(",") +
        "&zoom=" +
        clamp(Math.round(map.getZoom()), 0, MAX_ZOOM);
      if (d.filters) query = d.filters + "&" + query;
      el.dataset.state = "loading";
      fetch(d.dataUrl + "?" + query, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (pending === controller) pending = null;
          draw(data);
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
          el.dataset.state = "error";
        });
    }

    function load() {
      clearTimeout(timer);
      timer = setTimeout(fetchNow, DEBOUNCE_MS);
    }

    map.on("moveend", load);
    fetchNow();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-portal-map]"), init);
})();
