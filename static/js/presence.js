/* Presence on the composer page: polls the server to say "I am here", shows who else has the
   comment open (viewing or replying), counts down the claim's time left, and warns two minutes
   before it lapses. Typing renews the claim (composer.js); the next poll shows the new time. */
(function () {
  "use strict";
  var box = document.getElementById("presence");
  if (!box) { return; }
  var othersLine = document.getElementById("presence-others");
  var timeLine = document.getElementById("claim-time");
  var warning = document.getElementById("claim-warning");
  // The interval is the server's (config PRESENCE_POLL_SECONDS), written on the box.
  var pollMs = parseInt(box.getAttribute("data-poll-ms"), 10);
  if (!(pollMs > 0)) { return; }
  var WARN_SECONDS = 120;
  var expiresAt = null;   // in this browser's clock
  var mine = false;
  var warned = false;

  function csrfToken() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function minutesAndSeconds(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + " min " + (rest < 10 ? "0" : "") + rest + " s";
  }

  function showOthers(others) {
    var text = others.map(function (someone) {
      return someone.name + (someone.activity === "replying" ? " is replying" : " is viewing");
    }).join("; ");
    // Only change the text when it changes, so screen readers hear news, not every poll.
    var wanted = text ? text + "." : "";
    if (othersLine.textContent !== wanted) { othersLine.textContent = wanted; }
    othersLine.classList.toggle("someone-replying", others.some(function (s) {
      return s.activity === "replying";
    }));
  }

  function tick() {
    if (!mine || expiresAt === null) {
      timeLine.hidden = true;
      warning.hidden = true;
      return;
    }
    var left = (expiresAt - Date.now()) / 1000;
    timeLine.hidden = false;
    if (left <= 0) {
      timeLine.textContent = "Your claim has lapsed: another midwife may take this comment.";
    } else {
      timeLine.textContent = "This comment is yours for " + minutesAndSeconds(left) + ".";
    }
    if (left <= WARN_SECONDS && left > 0) {
      if (!warned) {
        warning.textContent = "Your claim lapses in about 2 minutes. Keep typing to keep it, " +
          "or publish soon.";
        warning.hidden = false;
        warned = true;
      }
    } else if (left > WARN_SECONDS) {
      warning.hidden = true;
      warned = false;
    }
  }

  function poll() {
    fetch(box.getAttribute("data-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}
    }).then(function (response) {
      if (!response.ok) { throw new Error("presence " + response.status); }
      return response.json();
    }).then(function (data) {
      showOthers(data.others || []);
      mine = Boolean(data.claim && data.claim.mine);
      expiresAt = mine && data.claim.seconds_left !== null ?
        Date.now() + data.claim.seconds_left * 1000 : null;
      tick();
    }).catch(function () { /* offline: try again at the next poll */ });
  }

  poll();
  window.setInterval(poll, pollMs);
  window.setInterval(tick, 1000);
})();
