// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // the language selector submits on change (its button remains for keyboard users)
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // calculator: put the chosen methodology's input template into the textarea
  var fill = document.getElementById("fill-skeleton");
  var methodology = document.getElementById("methodology");
  var inputs = document.getElementById("inputs");
  function applySkeleton() {
    var t = document.querySelector('template[data-skeleton="' + methodology.value + '"]');
    if (t) { inputs.value = t.innerHTML.replace(/&quot;/g, '"').replace(/&amp;/g, "&"); }
  }
  if (fill && methodology && inputs) {
    fill.addEventListener("click", applySkeleton);
    methodology.addEventListener("change", applySkeleton);
  }
})();
