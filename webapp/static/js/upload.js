// Upload with a progress bar: the same form, sent with XMLHttpRequest; the server answers
// with the quality report fragment (X-Requested-With: fetch). Without JS the form posts.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData) { return; }
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var target = document.getElementById("upload-report");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "fetch");
    bar.hidden = false; bar.value = 0; status.textContent = "";
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    });
    xhr.addEventListener("load", function () {
      bar.value = 100;
      status.textContent = xhr.status + " " + xhr.statusText;
      target.innerHTML = xhr.responseText;
    });
    xhr.addEventListener("error", function () { status.textContent = "network error"; });
    xhr.send(new FormData(form));
  });
})();
