// Keel's dashboard: the little glue htmx needs. No build step; served as is.
(function () {
  "use strict";
  // every htmx request echoes the CSRF cookie in the header the server checks
  document.addEventListener("htmx:configRequest", function (e) {
    var m = document.cookie.match(/(?:^|;\s*)keel_csrf=([^;]+)/);
    if (m) {
      e.detail.headers["X-Keel-CSRF"] = decodeURIComponent(m[1]);
    }
  });
  // swap error answers too: the server sends them to #flash
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "[45]..", swap: true, error: true }
  ];
  document.addEventListener("htmx:afterRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.id === "logout" && e.detail.successful) {
      location.href = "/login";
    }
  });
  // selects marked data-autosubmit submit their form when changed
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("select[data-autosubmit]")) {
      e.target.form.submit();
    }
  });
  // graph nodes are buttons: Enter and Space open them too
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if ((e.key === "Enter" || e.key === " ") && t.matches && t.matches("g.node[hx-get]")) {
      e.preventDefault();
      htmx.trigger(t, "click");
    }
  });
  // a followed log keeps its last data-cap characters, and stays scrolled to the end if it was
  document.addEventListener("htmx:sseBeforeMessage", function (e) {
    var pre = e.target;
    if (pre.matches && pre.matches("pre.log")) {
      pre.keelAtEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    }
  });
  document.addEventListener("htmx:sseMessage", function (e) {
    var pre = e.target;
    if (!(pre.matches && pre.matches("pre.log[data-cap]"))) {
      return;
    }
    var cap = parseInt(pre.getAttribute("data-cap"), 10);
    var text = pre.textContent;
    if (cap > 0 && text.length > cap) {
      var keep = text.slice(text.length - cap);
      var nl = keep.indexOf("\n");
      if (nl >= 0 && nl < keep.length - 1) {
        keep = keep.slice(nl + 1);
      }
      pre.textContent = "";
      var note = document.createElement("span");
      note.className = "log-skip";
      note.textContent = "… earlier lines are left out: the page keeps the last " +
        (cap >= 1024 ? Math.round(cap / 1024) + " KiB" : cap + " characters") + " of the log …\n";
      pre.appendChild(note);
      pre.appendChild(document.createTextNode(keep));
    }
    if (pre.keelAtEnd !== false) {
      pre.scrollTop = pre.scrollHeight;
    }
  });
  // the selected node is outlined
  document.addEventListener("click", function (e) {
    var g = e.target.closest && e.target.closest("g.node[hx-get]");
    if (!g) {
      return;
    }
    document.querySelectorAll("g.node.selected").forEach(function (n) {
      n.classList.remove("selected");
    });
    g.classList.add("selected");
  });
})();
