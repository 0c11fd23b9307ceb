// The composer's answering tools: words selected in the comment are copied into the
// "Words to redact" box (without JavaScript she types them), and sending privately or
// closing without publishing asks once before it goes.
(function () {
  "use strict";
  var text = document.getElementById("comment-text");
  var input = document.getElementById("redact-text");
  if (text && input) {
    var takeSelection = function () {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed || selection.rangeCount === 0) { return; }
      var range = selection.getRangeAt(0);
      if (!text.contains(range.commonAncestorContainer)) { return; }
      var chosen = selection.toString().replace(/\s+/g, " ").trim();
      if (chosen) { input.value = chosen; }
    };
    text.addEventListener("mouseup", takeSelection);
    text.addEventListener("keyup", takeSelection);
  }
  var questions = {
    "private-button": "Email this reply privately? It will not be published.",
    "close-button": "Close this comment without publishing it?"
  };
  Object.keys(questions).forEach(function (id) {
    var button = document.getElementById(id);
    if (!button) { return; }
    button.addEventListener("click", function (event) {
      if (!window.confirm(questions[id])) { event.preventDefault(); }
    });
  });
}());
