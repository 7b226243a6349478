/* Maps for Rekindle pages. Reads markers (and optional circles) from a JSON script element. Every map
   draws a light base layer that needs no tile server: the councils' outlines and names and, closer
   in, the postcode districts, all drawn from the service's own postcode table (the URL is the
   data-base attribute of this script). Background tiles are added only where a tile URL is set.
   Markers are sized so they can be seen and clicked; each page lists the same places in words. */
(function () {
  "use strict";
  var COLOURS = { open: "#a8201a", offered: "#b35c00", assigned: "#00703c", done: "#505a5f",
                  active: "#00703c", dormant: "#8a5a00", reactivating: "#1d4f91", gap: "#a8201a",
                  ready: "#00703c", messaged: "#1d4f91", pending: "#505a5f", not_now: "#8a5a00" };
  var MIN_RADIUS = 6, MAX_RADIUS = 16, DISTRICT_ZOOM = 12;
  var script = document.currentScript;
  var baseUrl = script ? script.getAttribute("data-base") : null;
  var base = null;

  function baseLayer() {  // one request per page, however many maps it has
    if (!base) {
      base = !baseUrl ? Promise.resolve(null) : fetch(baseUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; });
    }
    return base;
  }

  function markerRadius(size) {
    var r = Number(size) || 8;
    return Math.max(MIN_RADIUS, Math.min(MAX_RADIUS, r));
  }

  function nameLabel(text, latlng, kind) {
    var span = document.createElement("span");
    span.textContent = text;
    return L.marker(latlng, { pane: "rk-labels", interactive: false, keyboard: false,
      icon: L.divIcon({ className: "rk-label rk-label-" + kind, html: span, iconSize: null }) });
  }

  function drawBase(el, map, layer, data) {
    if (!data) { el.setAttribute("data-base-ready", "0"); return; }
    var outlines = L.featureGroup();
    data.areas.forEach(function (a) {
      L.polygon(a.outline, { pane: "rk-base", interactive: false, className: "rk-outline", color: "#505a5f",
        weight: 1.5, fillColor: "#ffffff", fillOpacity: 0.6 }).addTo(outlines);
      nameLabel(a.name, a.label, "area").addTo(map);
    });
    data.districts.forEach(function (d) { nameLabel(d.name, [d.lat, d.lon], "district").addTo(map); });
    outlines.addTo(map);
    el.rekindleAreas = outlines;
    map.attributionControl.addAttribution(data.attribution);
    if (el.dataset.tiles && data.tile_attribution) { map.attributionControl.addAttribution(data.tile_attribution); }
    if (!layer.getLayers().length && outlines.getLayers().length && !el.dataset.moved) {
      map.fitBounds(outlines.getBounds(), { maxZoom: 12, animate: false });
    }
    el.setAttribute("data-base-ready", String(data.areas.length));
  }

  function showDistricts(el, map) {
    el.classList.toggle("rk-far", map.getZoom() < DISTRICT_ZOOM);
  }

  function drawMap(el) {
    if (el.rekindleMap) { return el.rekindleMap; }  // pages may ask before the automatic pass
    var data = JSON.parse(document.getElementById(el.dataset.source).textContent);
    var map = L.map(el, { scrollWheelZoom: false });
    map.createPane("rk-base").style.zIndex = 250;  // above tiles (200), below markers (400)
    map.createPane("rk-labels").style.zIndex = 450;
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map); }
    var layer = L.featureGroup().addTo(map);
    (data.circles || []).forEach(function (c) {
      L.circle([c.lat, c.lon], { radius: c.radius_m, color: COLOURS[c.kind] || "#1d4f91", weight: 2, fillOpacity: 0.1 })
        .bindPopup(c.label || "").addTo(layer);
    });
    (data.markers || []).forEach(function (m) {
      var mark = L.circleMarker([m.lat, m.lon], { radius: markerRadius(m.size), className: "rk-marker",
        color: "#1b1b1b", weight: 2, fillColor: COLOURS[m.kind] || "#1d4f91", fillOpacity: 0.9 });
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
      map.setView([52.48, -1.90], 10);  // the West Midlands, until the outlines say where the region is
    }
    map.on("zoomend", function () { showDistricts(el, map); });
    map.on("dragstart", function () { el.dataset.moved = "1"; });
    showDistricts(el, map);
    el.rekindleMap = map;
    el.rekindleLayer = layer;
    el.setAttribute("data-ready", String(layer.getLayers().length));
    el.rekindleBase = baseLayer().then(function (b) { drawBase(el, map, layer, b); return b; });
    return map;
  }

  window.RekindleMap = { draw: drawMap, colours: COLOURS, markerRadius: markerRadius };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map[data-source]").forEach(drawMap);
  });
})();
