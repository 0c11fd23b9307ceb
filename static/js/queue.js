/* The queue: navigation count of urgent unclaimed comments (every signed-in page), and on the
   queue page itself a "new comments" banner that says plainly when one is URGENT (tab title,
   a short sound, a desktop notification if allowed) and keyboard shortcuts (j/k/Enter/n/?).
   Polling goes on while the tab is in the background: a midwife working in another tab must
   still hear of an urgent comment. (Browsers slow background timers down, to once a minute
   at worst, so the page also polls at once when it becomes visible again.)
   No inline scripts: the page's CSP allows only scripts served from /static. */
(function () {
  "use strict";

  function pollInterval(element) {
    // One interval, set by the server (config QUEUE_POLL_SECONDS) on what the page polls for.
    var ms = parseInt(element.dataset.pollMs, 10);
    return ms > 0 ? ms : 0;
  }

  function getJSON(url, onData) {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status === 200) {
        try { onData(JSON.parse(request.responseText)); } catch (e) { /* ignore a bad reply */ }
      }
    };
    request.send();
  }

  /* --- Navigation: urgent comments nobody is answering ---------------------------------- */
  function showUrgentCount(element, count) {
    // The first child is the number's text node; a visually hidden label follows it.
    element.firstChild.nodeValue = String(count);
    element.hidden = count <= 0;
  }

  function pollUrgentCount() {
    var element = document.getElementById("urgent-unclaimed-count");
    if (!element || !element.dataset.countUrl) { return; }
    if (!element.firstChild || element.firstChild.nodeType !== Node.TEXT_NODE) {
      element.insertBefore(document.createTextNode(""), element.firstChild);
    }
    function poll() {
      getJSON(element.dataset.countUrl, function (data) {
        if (typeof data.urgent_unclaimed === "number") {
          showUrgentCount(element, data.urgent_unclaimed);
        }
      });
    }
    if (!pollInterval(element)) { return; }
    window.setInterval(poll, pollInterval(element));
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { poll(); }
    });
  }

  /* --- Queue page: new comments ---------------------------------------------------------- */
  function plural(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  function announcement(total, urgent) {
    // Said plainly, urgent first: "1 new URGENT comment", "2 new URGENT comments and 1 other".
    if (urgent <= 0) { return plural(total, "new comment"); }
    var text = plural(urgent, "new URGENT comment");
    var others = total - urgent;
    if (others > 0) { text += " and " + plural(others, "other"); }
    return text;
  }

  function playChime(url) {
    if (!url || typeof Audio === "undefined") { return; }
    try {
      var sound = new Audio(url);
      var played = sound.play();
      // Autoplay rules may refuse a sound before the midwife has touched the page.
      if (played && typeof played.catch === "function") { played.catch(function () {}); }
    } catch (e) { /* no sound, the banner and title still say it */ }
  }

  function notify(text, banner) {
    if (typeof Notification === "undefined" || Notification.permission !== "granted") { return; }
    try {
      var note = new Notification(text, {
        body: "Open the queue to read it.",
        tag: "moderation-queue-urgent",
        renotify: true,
        requireInteraction: true,
      });
      note.onclick = function () {
        window.focus();
        window.location.assign(banner.dataset.reloadUrl);
        note.close();
      };
    } catch (e) { /* some browsers only notify from a service worker: the banner remains */ }
  }

  function setUpNotificationButton() {
    var button = document.getElementById("allow-notifications");
    if (!button) { return; }
    var status = document.getElementById("notification-status");
    function show() {
      var supported = typeof Notification !== "undefined";
      var permission = supported ? Notification.permission : "unsupported";
      button.hidden = permission !== "default";
      if (status) {
        status.textContent = permission === "granted"
          ? "Desktop alerts are on for urgent comments."
          : permission === "denied"
            ? "Desktop alerts are blocked in this browser's site settings."
            : "";
      }
    }
    button.addEventListener("click", function () {
      var asked = Notification.requestPermission(show);
      if (asked && typeof asked.then === "function") { asked.then(show); }
    });
    show();
  }

  function pollNewComments() {
    var banner = document.getElementById("new-comments");
    if (!banner) { return; }
    var text = banner.querySelector(".new-comments-text");
    var baseTitle = document.title;
    var urgentSeen = 0;

    function show(total, urgent) {
      var words = announcement(total, urgent);
      text.textContent = words + " — ";
      banner.classList.toggle("new-urgent", urgent > 0);
      banner.setAttribute("role", urgent > 0 ? "alert" : "status");
      banner.hidden = false;
      document.title = (urgent > 0 ? "(" + urgent + " URGENT) " : "(" + total + " new) ")
        + baseTitle;
      if (urgent > urgentSeen) {
        // Sound and notification once per newly arrived urgent comment, not on every poll.
        playChime(banner.dataset.soundUrl);
        notify(words, banner);
      }
      urgentSeen = Math.max(urgentSeen, urgent);
    }

    function poll() {
      getJSON(banner.dataset.pollUrl, function (data) {
        if (typeof data.new !== "number" || data.new <= 0) { return; }
        show(data.new, typeof data.urgent === "number" ? data.urgent : 0);
      });
    }
    if (!pollInterval(banner)) { return; }
    window.setInterval(poll, pollInterval(banner));
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { poll(); }
    });
  }

  /* --- Queue page: keyboard ---------------------------------------------------------------- */
  function isTyping(target) {
    if (!target) { return false; }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function setUpKeyboard() {
    var table = document.getElementById("queue-table");
    var takeNext = document.getElementById("take-next-form");
    var help = document.getElementById("shortcut-help");
    var helpToggle = document.getElementById("shortcut-help-toggle");
    if (!takeNext && !table) { return; }
    var rows = table ? Array.prototype.slice.call(table.querySelectorAll("tbody tr.queue-row")) : [];
    var selected = -1;

    function select(index) {
      if (!rows.length) { return; }
      index = Math.max(0, Math.min(rows.length - 1, index));
      if (selected >= 0 && rows[selected]) {
        rows[selected].classList.remove("selected");
        rows[selected].removeAttribute("aria-selected");
      }
      selected = index;
      var row = rows[selected];
      row.classList.add("selected");
      row.setAttribute("aria-selected", "true");
      var link = row.querySelector("a.open-comment");
      if (link) { link.focus({ preventScroll: true }); }
      row.scrollIntoView({ block: "nearest" });
    }

    function toggleHelp() {
      if (!help) { return; }
      help.hidden = !help.hidden;
      if (helpToggle) { helpToggle.setAttribute("aria-expanded", String(!help.hidden)); }
    }

    if (helpToggle) { helpToggle.addEventListener("click", toggleHelp); }

    rows.forEach(function (row, index) {
      row.addEventListener("click", function (event) {
        if (event.target.closest("a, button, form")) { return; }
        select(index);
      });
    });

    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
      if (isTyping(event.target)) { return; }
      switch (event.key) {
        case "j":
          select(selected + 1);
          event.preventDefault();
          break;
        case "k":
          select(selected < 0 ? 0 : selected - 1);
          event.preventDefault();
          break;
        case "Enter":
          // A focused link or button does its own thing (the selected row's link is focused).
          if (event.target.closest && event.target.closest("a, button")) { break; }
          if (selected >= 0 && rows[selected]) {
            event.preventDefault();
            window.location.assign(rows[selected].dataset.href);
          }
          break;
        case "n":
          if (takeNext) {
            event.preventDefault();
            takeNext.requestSubmit ? takeNext.requestSubmit() : takeNext.submit();
          }
          break;
        case "?":
          event.preventDefault();
          toggleHelp();
          break;
        case "Escape":
          if (help && !help.hidden) { toggleHelp(); }
          break;
        default:
          break;
      }
    });
  }

  function start() {
    pollUrgentCount();
    pollNewComments();
    setUpNotificationButton();
    setUpKeyboard();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
