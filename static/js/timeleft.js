/* The queue's "time left" counts down live: amber within QUEUE_AMBER_MINUTES, red when overdue.
   The server renders the same words and colours; this only keeps them true while the page is open. */
(function () {
  "use strict";
  var table = document.getElementById("queue-table");
  if (!table) { return; }
  var amberSeconds = parseInt(table.getAttribute("data-amber-seconds"), 10) || 3600;
  // Measure time against the server's clock, not the device's, which may be wrong.
  var serverNow = Date.parse(table.getAttribute("data-now"));
  var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();

  function duration(seconds) {
    seconds = Math.floor(Math.abs(seconds));
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    if (days) { return days + " d " + hours + " h"; }
    if (hours) { return hours + " h " + minutes + " min"; }
    return minutes + " min";
  }

  function render(cell, left) {
    var state = left < 0 ? "overdue-state" : (left <= amberSeconds ? "due-soon" : "due-later");
    var words = left < 0 ? "overdue by " + duration(left) : duration(left) + " left";
    var inner = cell.firstElementChild;
    var innerClass = left < 0 ? "overdue" : "due-in";
    if (!inner || inner.className !== innerClass || inner.textContent !== words) {
      var span = document.createElement("span");
      span.className = innerClass;
      span.textContent = words;
      cell.replaceChildren(span);
    }
    if (!cell.classList.contains(state)) {
      cell.classList.remove("overdue-state", "due-soon", "due-later");
      cell.classList.add(state);
    }
  }

  function tick() {
    var now = Date.now() + skew;
    var cells = table.querySelectorAll(".countdown[data-due]");
    for (var i = 0; i < cells.length; i++) {
      var due = Date.parse(cells[i].getAttribute("data-due"));
      if (!isNaN(due)) { render(cells[i], (due - now) / 1000); }
    }
  }

  tick();
  window.setInterval(tick, 1000);
})();
