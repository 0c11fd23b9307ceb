// Redaction in the composer: words selected in the comment are copied into the
// "Words to redact" box, ready for one press of Redact. Without JavaScript she types them.
(function () {
  "use strict";
  var text = document.getElementById("comment-text");
  var input = document.getElementById("redact-text");
  if (!text || !input) { return; }
  function takeSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) { return; }
    var range = selection.getRangeAt(0);
    if (!text.contains(range.commonAncestorContainer)) { return; }
    var chosen = selection.toString().replace(/\s+/g, " ").trim();
    if (chosen) { input.value = chosen; }
  }
  text.addEventListener("mouseup", takeSelection);
  text.addEventListener("keyup", takeSelection);
})();
