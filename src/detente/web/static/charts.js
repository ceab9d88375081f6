/* Draw the charts whose plotly figures are embedded as JSON (<script type="application/json" class="chart-data">).
   In a chart marked "clickable", a point or bar whose customdata is [text, url] opens url (a path on this server). */
(function () {
  "use strict";
  function localPath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\";
  }
  function draw() {
    if (typeof window.Plotly === "undefined") { return; }
    var nodes = document.querySelectorAll("script.chart-data");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var target = document.getElementById(node.getAttribute("data-target"));
      if (!target) { continue; }
      var fig = JSON.parse(node.textContent);
      target.textContent = "";
      target.classList.add("drawn");
      window.Plotly.newPlot(target, fig.data, fig.layout, {
        responsive: true, displaylogo: false, modeBarButtonsToRemove: ["lasso2d", "select2d"]
      });
      if (target.classList.contains("clickable")) {
        target.on("plotly_click", function (ev) {
          var point = ev && ev.points && ev.points[0];
          var data = point && point.customdata;
          var url = Array.isArray(data) ? data[1] : null;
          if (localPath(url)) { window.location.assign(url); }
        });
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
