/* The playbook editor's live preview: as a text box changes, ask the server how the text will be
   sent (the same code the campaigns use) and show it under the box: the text with sample names,
   its encoding, segments and cost per text, and what is wrong with it. Without this script the
   page still works: saving, or "Show the texts as sent", shows the same from the server. */
(function () {
  "use strict";

  function el(tag, className, text, part) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    if (part) { node.setAttribute("data-part", part); }
    return node;
  }

  function show(box, p) {
    while (box.firstChild) { box.removeChild(box.firstChild); }
    if (p === null) { box.appendChild(el("p", "muted", "Nothing written here.", "counts")); return; }
    box.appendChild(el("p", "preview-heading", "As it will be sent:"));
    box.appendChild(el("blockquote", "sms", p.body, "body"));
    var counts = p.segments + " segment" + (p.segments === 1 ? "" : "s") + ", " + p.cost_pence + "p a text. " +
      p.encoding_words + ".";
    p.warnings.forEach(function (w) { counts += " " + w; });
    box.appendChild(el("p", "muted sms-counts", counts, "counts"));
    if (p.problems.length) {
      var list = el("ul", "errorlist", undefined, "problems");
      p.problems.forEach(function (text) { list.appendChild(el("li", "", text)); });
      box.appendChild(list);
    }
  }

  function watch(form, area) {
    var box = document.getElementById("preview-" + area.name), timer = null, asked = 0;
    if (!box) { return; }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = area.value, ticket = ++asked;
        if (!text.trim()) { show(box, null); box.setAttribute("data-updated", String(ticket)); return; }
        fetch(form.dataset.previewUrl + "?text=" + encodeURIComponent(text), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (p) {
            if (p && ticket === asked) { show(box, p); box.setAttribute("data-updated", String(ticket)); }
          })
          .catch(function () { /* the server's preview on saving still shows it */ });
      }, 300);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-preview-url]").forEach(function (form) {
      form.querySelectorAll("textarea[data-preview]").forEach(function (area) { watch(form, area); });
    });
  });
})();
