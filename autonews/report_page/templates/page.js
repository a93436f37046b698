// The charts are drawn into the page already; paper shows only what is open, so open the
// error details before printing.
window.addEventListener("beforeprint", function () {
  Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
    d.open = true;
  });
});
