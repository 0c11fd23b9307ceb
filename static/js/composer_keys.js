/* Keyboard shortcuts of the composer: Alt+1..9 insert a suggested snippet, Alt+P preview,
   Ctrl+Enter publish, Ctrl+Shift+Enter publish and take next, Alt+Q back to the queue, ? help.
   Publishing still goes through the in-page confirmation (composer.js). */
(function () {
  "use strict";
  var help = document.getElementById("composer-help");
  var toggle = document.getElementById("composer-help-toggle");
  if (!help || !toggle) { return; }

  function isTyping(target) {
    return target && (target.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function toggleHelp() {
    help.hidden = !help.hidden;
    toggle.setAttribute("aria-expanded", help.hidden ? "false" : "true");
  }

  function click(id) {
    var element = document.getElementById(id);
    if (element) { element.click(); return true; }
    return false;
  }

  toggle.addEventListener("click", toggleHelp);

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented) { return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      if (click(event.shiftKey ? "publish-next-button" : "publish-button")) {
        event.preventDefault();
      }
      return;
    }
    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      var code = event.code || "";
      var digit = /^Digit([1-9])$/.exec(code);
      if (digit) {
        var links = document.querySelectorAll("a.snippet-insert");
        var link = links[parseInt(digit[1], 10) - 1];
        if (link) { link.click(); event.preventDefault(); }
        return;
      }
      if (code === "KeyP") {
        var preview = document.getElementById("reply-preview");
        if (preview) {
          preview.setAttribute("tabindex", "-1");
          preview.focus();
          preview.scrollIntoView({block: "center"});
          event.preventDefault();
        }
        return;
      }
      if (code === "KeyQ") {
        var back = document.querySelector(".composer-back a");
        if (back) { back.click(); event.preventDefault(); }
        return;
      }
    }
    if (event.key === "?" && !event.ctrlKey && !event.metaKey && !event.altKey &&
        !isTyping(event.target)) {
      toggleHelp();
      event.preventDefault();
    }
  });
})();
