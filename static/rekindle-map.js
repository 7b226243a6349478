/* Maps for Rekindle pages. Reads markers (and optional circles) from a JSON script element, so the
   page works the same with or without background tiles: with no tile URL configured (or none
   reachable) the markers are drawn as vector circles on a plain background. */
(function () {
  "use strict";
  var COLOURS = { open: "#a8201a", offered: "#b35c00", assigned: "#00703c", done: "#505a5f",
                  active: "#00703c", dormant: "#8a5a00", reactivating: "#1d4f91", gap: "#a8201a",
                  ready: "#00703c", messaged: "#1d4f91", pending: "#505a5f", not_now: "#8a5a00" };

  function drawMap(el) {
    if (el.rekindleMap) { return el.rekindleMap; }  // pages may ask before the automatic pass
    var data = JSON.parse(document.getElementById(el.dataset.source).textContent);
    var map = L.map(el, { scrollWheelZoom: false });
    var tiles = el.dataset.tiles;
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    var layer = L.featureGroup().addTo(map);
    (data.circles || []).forEach(function (c) {
      L.circle([c.lat, c.lon], { radius: c.radius_m, color: COLOURS[c.kind] || "#1d4f91", weight: 2, fillOpacity: 0.1 })
        .bindPopup(c.label || "").addTo(layer);
    });
    (data.markers || []).forEach(function (m) {
      var mark = L.circleMarker([m.lat, m.lon], {
        radius: m.size || 8, color: "#1b1b1b", weight: 1, fillColor: COLOURS[m.kind] || "#1d4f91", fillOpacity: 0.9
      });
      var html = document.createElement("div");
      var title = m.url ? document.createElement("a") : document.createElement("strong");
      title.textContent = m.label;
      if (m.url) { title.href = m.url; }
      html.appendChild(title);
      if (m.detail) { var p = document.createElement("div"); p.textContent = m.detail; html.appendChild(p); }
      mark.bindPopup(html).addTo(layer);
    });
    if (layer.getLayers().length) {
      map.fitBounds(layer.getBounds().pad(0.15), { maxZoom: 14 });
    } else {
      map.setView([52.48, -1.90], 10);  // the West Midlands
    }
    el.rekindleMap = map;
    el.rekindleLayer = layer;
    el.setAttribute("data-ready", String(layer.getLayers().length));
    return map;
  }

  window.RekindleMap = { draw: drawMap, colours: COLOURS };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map[data-source]").forEach(drawMap);
  });
})();
