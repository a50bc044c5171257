/* The compliance dashboard's enhancements. Loaded after htmx.min.js (both deferred), so
   the settings below are in place before htmx starts. Every action also works without
   JavaScript: links go to the delivery page, forms post and redirect. */
(function () {
  "use strict";
  var htmx = window.htmx;
  if (!htmx) {
    return;
  }
  // A strict Content-Security-Policy forbids inline <style> and eval.
  htmx.config.includeIndicatorStyles = false;
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;

  // A refused action (a missing comment, a report already reviewed) answers 4xx with the
  // report panel and HX-Retarget: show it instead of dropping it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Keyboard and screen-reader users land on the report that just opened, and after a
  // review on its result (#review-done, swapped out of band into the panel).
  document.addEventListener("htmx:afterSettle", function (event) {
    var panel = document.getElementById("report-panel");
    if (!panel) {
      return;
    }
    var done = document.getElementById("review-done");
    var opened = event.detail.target === panel || event.detail.elt === panel;
    var result = done || (opened && panel.querySelector("h2"));
    if (result && document.activeElement !== result) {
      result.setAttribute("tabindex", "-1");
      result.focus();
    }
  });
})();
