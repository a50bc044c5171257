/* After an action the page says what happened (Django's messages): keyboard and
   screen-reader users start there instead of at the top of the page. Without
   JavaScript the message is still the first thing in the page's main region. */
(function () {
  "use strict";
  var messages = document.getElementById("messages");
  if (messages) {
    messages.setAttribute("tabindex", "-1");
    messages.focus();
  }
})();
