/* The only script of the dashboard: shows the "In trang" (print) buttons, which need a script to call
   the browser's print dialog. Every page works without it. */
document.querySelectorAll("button.print").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
