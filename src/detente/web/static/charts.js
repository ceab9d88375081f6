/* Draw the charts whose plotly figures are embedded as JSON (<script type="application/json" class="chart-data">). */
(function () {
  "use strict";
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
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
