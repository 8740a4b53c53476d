// Check-box groups with a maximum (fieldset[data-max]): further boxes are refused with a
// message in the live region next to the group, before the form is sent. The server checks too.
document.querySelectorAll("fieldset[data-max]").forEach(function (group) {
  var max = parseInt(group.getAttribute("data-max"), 10);
  var status = group.parentNode.querySelector(".checks-status");
  group.addEventListener("change", function (e) {
    var boxes = group.querySelectorAll("input[type=checkbox]:checked");
    if (e.target.checked && boxes.length > max) {
      e.target.checked = false;
      if (status) { status.textContent = group.getAttribute("data-max-message"); }
    } else if (status) {
      status.textContent = "";
    }
  });
});
