// Refreshes "If issued today, acknowledgement due: dd/mm/yyyy" on the drafting form as
// the number of working days changes. The page already shows it without JavaScript.
(function () {
  "use strict";
  var note = document.getElementById("ack-due-preview");
  var field = document.getElementById("id_ack_due_working_days");
  var out = document.getElementById("ack-due-date");
  if (!note || !field || !out) return;
  function refresh() {
    var days = parseInt(field.value, 10);
    if (!(days >= 1 && days <= 60)) return;
    var url = note.dataset.url + "?from=" + encodeURIComponent(note.dataset.today) + "&working_days=" + days;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !data.due_on) return;
        var p = data.due_on.split("-");
        out.textContent = p[2] + "/" + p[1] + "/" + p[0];
      })
      .catch(function () {});
  }
  field.addEventListener("input", refresh);
  field.addEventListener("change", refresh);
})();
