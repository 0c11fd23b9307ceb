/* Signing out clears the reply drafts kept in this browser: they hold people's health details,
   and the next person at this computer must not find them. (composer.js names them
   "moderation-draft:v1:<user>:<comment>".) */
(function () {
  "use strict";
  var form = document.getElementById("sign-out-form");
  if (!form) { return; }
  form.addEventListener("submit", function () {
    var store;
    try { store = window.localStorage; } catch (e) { return; }
    if (!store) { return; }
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf("moderation-draft:") === 0) { store.removeItem(key); }
    }
  });
})();
