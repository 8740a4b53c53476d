// "Profil als PDF": the browser's print dialog (save as PDF) with the print stylesheet.
// The button stays hidden without JavaScript, so it never does nothing.
document.querySelectorAll(".print-button").forEach(function (b) {
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
});
