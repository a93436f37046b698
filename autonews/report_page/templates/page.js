// Draw every chart of the report from its inline Vega spec. A chart that cannot be drawn
// says so in its place (its table has the numbers) and logs the error to the console.
(function () {
  "use strict";
  var nodes = document.querySelectorAll('script[type="application/json"][data-chart]');
  var drawing = [];
  Array.prototype.forEach.call(nodes, function (node) {
    var target = document.getElementById(node.getAttribute("data-chart"));
    if (!target) {
      console.error("no place for chart " + node.getAttribute("data-chart"));
      return;
    }
    var spec = JSON.parse(node.textContent);
    drawing.push(
      vegaEmbed(target, spec, { mode: "vega", renderer: "svg", actions: false })
        .then(function () {
          target.setAttribute("data-drawn", "true");
        })
        .catch(function (error) {
          target.setAttribute("data-drawn", "false");
          target.textContent = "This chart could not be drawn; the table beside it has the numbers.";
          console.error("chart " + target.id + ": " + error);
        })
    );
  });
  // Paper shows what is open: open the error details before printing.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
      d.open = true;
    });
  });
  Promise.all(drawing).then(function () {
    document.documentElement.setAttribute("data-charts", String(drawing.length));
    document.documentElement.setAttribute("data-charts-ms", String(Math.round(performance.now())));
  });
})();
