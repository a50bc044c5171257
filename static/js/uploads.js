// Uploads on a slow link: a form marked data-upload sends its files with a progress bar,
// and phone photos (JPEG) larger than MAX_SIDE pixels are scaled down in the browser first
// (a 4000 px photo of a few MB becomes a few hundred KB). Without JavaScript, or where the
// browser cannot do it, the form posts as usual with the original files.
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.85;

  function scaled(file) {
    if (file.type !== "image/jpeg" || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" })
      .then(function (bitmap) {
        var ratio = MAX_SIDE / Math.max(bitmap.width, bitmap.height);
        if (ratio >= 1) return file;
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * ratio);
        canvas.height = Math.round(bitmap.height * ratio);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return new Promise(function (resolve) {
          canvas.toBlob(function (blob) {
            resolve(blob && blob.size < file.size ? new File([blob], file.name, { type: "image/jpeg" }) : file);
          }, "image/jpeg", QUALITY);
        });
      })
      .catch(function () { return file; });
  }

  function body(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var inputs = form.querySelectorAll('input[type="file"]');
    var jobs = [];
    Array.prototype.forEach.call(inputs, function (input) {
      if (!input.name || !input.files.length) return;
      data.delete(input.name);
      Array.prototype.forEach.call(input.files, function (file) {
        jobs.push(scaled(file).then(function (sent) { return [input.name, sent]; }));
      });
    });
    return Promise.all(jobs).then(function (files) {
      files.forEach(function (pair) { data.append(pair[0], pair[1], pair[1].name); });
      return { data: data, count: files.length };
    });
  }

  function progressBox(form) {
    var box = form.querySelector(".upload-progress");
    if (!box) {
      box = document.createElement("div");
      box.className = "upload-progress";
      box.setAttribute("role", "status");
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", form.dataset.uploadLabel || "");
      var text = document.createElement("span");
      box.appendChild(bar);
      box.appendChild(text);
      var actions = form.querySelector(".form-actions") || form;
      actions.parentNode.insertBefore(box, actions.nextSibling);
    }
    return { box: box, bar: box.querySelector("progress"), text: box.querySelector("span") };
  }

  function send(form, submitter) {
    var buttons = form.querySelectorAll("button, input[type=submit]");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    var shown = progressBox(form);
    shown.text.textContent = " " + (form.dataset.uploadPreparing || "");
    body(form, submitter).then(function (prepared) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable) return;
        var percent = Math.round((100 * event.loaded) / event.total);
        shown.bar.value = percent;
        shown.text.textContent = " " + (form.dataset.uploadLabel || "") + " " + percent + " %";
      });
      xhr.addEventListener("load", function () {
        var type = xhr.getResponseHeader("Content-Type") || "";
        if (type.indexOf("text/html") !== 0) {
          window.location.reload();
          return;
        }
        // The page the post led to (after its redirect), or the form again with what to
        // correct: shown as it came, at its own address, without loading it twice.
        document.open();
        document.write(xhr.responseText);
        document.close();
        if (xhr.responseURL) window.history.replaceState(null, "", xhr.responseURL);
      });
      xhr.addEventListener("error", function () {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        shown.text.textContent = " " + (form.dataset.uploadFailed || "");
      });
      xhr.send(prepared.data);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), function (form) {
    form.addEventListener("submit", function (event) {
      var hasFiles = Array.prototype.some.call(form.querySelectorAll('input[type="file"]'), function (input) {
        return input.files && input.files.length;
      });
      if (!hasFiles || !window.FormData || !window.XMLHttpRequest || !window.Promise) return;
      event.preventDefault();
      send(form, event.submitter);
    });
  });
})();
