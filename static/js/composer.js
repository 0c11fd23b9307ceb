/* The reply composer: snippet insertion, live preview, blanks, draft kept in this browser,
 * claim heartbeat (with "Keep it") and publish confirmation.
 *
 * Nothing typed is ever put into the page as HTML: the preview is built from text nodes,
 * exactly as the server's `paragraphs` filter builds its escaped <p> paragraphs.
 */
(function () {
  "use strict";

  var root = document.getElementById("composer");
  if (!root) { return; }

  var commentId = root.dataset.commentId;
  var userId = root.dataset.userId;
  var canReply = root.dataset.canReply === "true";
  var stillPending = root.dataset.status === "pending";
  var form = document.getElementById("reply-form");
  var textarea = document.getElementById("body");
  var preview = document.getElementById("reply-preview");
  var counter = document.getElementById("char-count");
  var blanksBox = document.getElementById("blanks-left");
  var blanksList = document.getElementById("blanks-list");
  var snippetIdField = document.getElementById("snippet_id");
  var snippetVersionField = document.getElementById("snippet_version");

  var DRAFT_PREFIX = "moderation-draft:v1:";
  var DRAFT_KEY = DRAFT_PREFIX + userId + ":" + commentId;
  // Drafts hold health details: keep them no longer than a working day and a night.
  var DRAFT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
    var BLANK = /\[\[([^\[\]\n]*)\]\]/g;

  // --- Preview: the same algorithm as moderation.templating.paragraphs ---------------------
  function renderParagraphs(container, text) {
    while (container.firstChild) { container.removeChild(container.firstChild); }
    var blocks = (text || "").replace(/\r\n/g, "\n").split("\n\n");
    blocks.forEach(function (raw) {
      var block = raw.replace(/^\n+|\n+$/g, "");
      if (!block.trim()) { return; }
      var p = document.createElement("p");
      block.split("\n").forEach(function (line, index) {
        if (index > 0) { p.appendChild(document.createElement("br")); }
        p.appendChild(document.createTextNode(line));
      });
      container.appendChild(p);
    });
  }

  function blanksIn(text) {
    var found = [];
    var match;
    BLANK.lastIndex = 0;
    while ((match = BLANK.exec(text)) !== null) {
      found.push(match[1].trim() || "(empty blank)");
    }
    return found;
  }

  function refresh() {
    if (!textarea) { return; }
    var text = textarea.value;
    if (preview) { renderParagraphs(preview, text); }
    if (counter) { counter.textContent = String(text.trim().length); }
    if (blanksBox && blanksList) {
      var blanks = blanksIn(text);
      while (blanksList.firstChild) { blanksList.removeChild(blanksList.firstChild); }
      blanks.forEach(function (label) {
        var li = document.createElement("li");
        li.textContent = "[[" + label + "]]";
        blanksList.appendChild(li);
      });
      blanksBox.hidden = blanks.length === 0;
    }
  }

  // --- Draft kept in this browser -----------------------------------------------------------
  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function readDraft(key) {
    var store = storage();
    if (!store) { return null; }
    try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
  }

  function removeDraft(key) {
    var store = storage();
    if (store) { store.removeItem(key); }
  }

  function saveDraft() {
    var store = storage();
    if (!store || !textarea || !canReply) { return; }
    if (!textarea.value.trim()) { removeDraft(DRAFT_KEY); return; }
    try {
      store.setItem(DRAFT_KEY, JSON.stringify({
        body: textarea.value,
        snippetId: snippetIdField ? snippetIdField.value : "",
        snippetVersion: snippetVersionField ? snippetVersionField.value : "",
        savedAt: Date.now()
      }));
    } catch (e) { /* storage full or disabled: the server still has nothing to lose */ }
  }

  function pruneOldDrafts() {
    var store = storage();
    if (!store) { return; }
    var now = Date.now();
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (!key || key.indexOf(DRAFT_PREFIX) !== 0) { continue; }
      var draft = readDraft(key);
      if (!draft || !draft.savedAt || now - draft.savedAt > DRAFT_MAX_AGE_MS) { removeDraft(key); }
    }
  }

  function showDraftNotice(message, body) {
    var box = document.getElementById("draft-notice");
    var text = document.getElementById("draft-notice-text");
    var pre = document.getElementById("draft-notice-body");
    if (!box || !text) { return; }
    text.textContent = message;
    if (pre && body) { pre.textContent = body; pre.hidden = false; }
    box.hidden = false;
  }

  function restoreDraft() {
    pruneOldDrafts();
    var draft = readDraft(DRAFT_KEY);
    if (!stillPending) {
      // Published, rejected or spam: the draft can never be sent; the page says why.
      removeDraft(DRAFT_KEY);
      return;
    }
    if (!draft || !draft.body) { saveDraft(); return; }
    var when = new Date(draft.savedAt).toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"});
    if (!canReply || !textarea) {
      showDraftNotice("Your unsent draft for this comment (saved " + when + "), to copy:", draft.body);
      return;
    }
    if (textarea.value.trim()) {
      // The server sent text (a refused publish or an inserted snippet): it is the newest.
      saveDraft();
      return;
    }
    textarea.value = draft.body;
    if (snippetIdField && draft.snippetId) { snippetIdField.value = draft.snippetId; }
    if (snippetVersionField && draft.snippetVersion) { snippetVersionField.value = draft.snippetVersion; }
    showDraftNotice("Your unsent draft from " + when + " was restored.");
  }

  // --- Snippets -----------------------------------------------------------------------------
  function selectFirstBlank() {
    BLANK.lastIndex = 0;
    var match = BLANK.exec(textarea.value);
    if (match) { textarea.setSelectionRange(match.index, match.index + match[0].length); }
  }

  function insertSnippet(link) {
    var body = link.dataset.body || "";
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var current = textarea.value;
    if (!current.trim()) {
      textarea.value = body;
    } else {
      var before = current.slice(0, start).replace(/\s+$/, "");
      var after = current.slice(end).replace(/^\s+/, "");
      textarea.value = (before ? before + "\n\n" : "") + body + (after ? "\n\n" + after : "");
    }
    if (snippetIdField) { snippetIdField.value = link.dataset.snippetId; }
    if (snippetVersionField) { snippetVersionField.value = link.dataset.snippetVersion; }
    textarea.focus();
    selectFirstBlank();
    refresh();
    saveDraft();
  }

  // --- Claim heartbeat while the page is open ----------------------------------------------
  // The claim is a short lease (3 minutes by default): this page renews it every minute while
  // it is open and she has used it recently, so a closed or crashed browser frees the comment
  // within minutes. After IDLE_LIMIT_MS without a key press, click or scroll the renewals stop
  // and a "Keep it" button offers one more lease per click.
  var HEARTBEAT_MS = 60 * 1000;
  var IDLE_LIMIT_MS = 15 * 60 * 1000;
  var lastActivity = Date.now();
  var expiresAt = null;

  function csrfToken() {
    var field = form ? form.querySelector("input[name=csrf_token]") : null;
    return field ? field.value : "";
  }

  function notice() { return document.getElementById("keepalive-notice"); }

  function showKeepIt(message) {
    var box = notice();
    if (!box) { return; }
    while (box.firstChild) { box.removeChild(box.firstChild); }
    var text = document.createElement("span");
    text.textContent = message + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.id = "keep-claim";
    button.textContent = "Keep it";
    button.addEventListener("click", function () {
      lastActivity = Date.now();
      renewClaim();
    });
    box.appendChild(text);
    box.appendChild(button);
    box.hidden = false;
  }

  function showProblem(message) {
    var box = notice();
    if (!box) { return; }
    box.textContent = (message ? message + ". " : "") +
      "Your text is saved in this browser; copy it before leaving the page.";
    box.hidden = false;
  }

  function untilText(date) {
    return date.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"});
  }

  function renewClaim() {
    fetch(root.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (data) { return {ok: response.ok, data: data}; });
    }).then(function (result) {
      if (!result.ok) { showProblem(result.data && result.data.message); return; }
      expiresAt = result.data.expires_at ? new Date(result.data.expires_at) : null;
      var box = notice();
      // A late answer must not hide a "Keep it" question asked since.
      if (box && Date.now() - lastActivity < IDLE_LIMIT_MS) { box.hidden = true; }
    }).catch(function () { /* offline: publishing will re-check the claim anyway */ });
  }

  function beat() {
    if (Date.now() - lastActivity < IDLE_LIMIT_MS) { renewClaim(); return; }
    var when = expiresAt ? " at " + untilText(expiresAt) : " soon";
    showKeepIt("You have not typed for a while, so this comment goes back to the queue" + when +
      " for another midwife. Still answering it?");
  }

  function markActive() { lastActivity = Date.now(); }

  // --- Wiring -------------------------------------------------------------------------------
  restoreDraft();
  refresh();

  if (textarea) {
    var pending = null;
    textarea.addEventListener("input", function () {
      refresh();
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(saveDraft, 250);
    });
    window.addEventListener("beforeunload", saveDraft);
  }

  if (canReply && stillPending && root.dataset.keepaliveUrl) {
    ["keydown", "pointerdown", "scroll", "input"].forEach(function (name) {
      window.addEventListener(name, markActive, {passive: true, capture: true});
    });
    window.setInterval(beat, HEARTBEAT_MS);
  }

  document.querySelectorAll("a.snippet-insert").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!textarea || !canReply) { return; }
      event.preventDefault();
      insertSnippet(link);
    });
  });

  // --- In-page confirmation (no browser alert or confirm): templates/replies/_confirm.html ---
  var confirmPanel = document.getElementById("action-confirm");
  var confirmed = null;  // the button whose action she confirmed

  function askOnPage(submitter, message, blanks, canGoOn) {
    var list = document.getElementById("action-confirm-blanks");
    document.getElementById("action-confirm-text").textContent = message;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    blanks.forEach(function (label) {
      var li = document.createElement("li");
      li.textContent = "[[" + label + "]]";
      list.appendChild(li);
    });
    list.hidden = blanks.length === 0;
    var yes = document.getElementById("action-confirm-yes");
    yes.hidden = !canGoOn;
    yes.onclick = function () {
      confirmed = submitter;
      confirmPanel.hidden = true;
      form.requestSubmit(submitter);
    };
    document.getElementById("action-confirm-no").onclick = function () {
      confirmPanel.hidden = true;
      (textarea || submitter).focus();
    };
    confirmPanel.hidden = false;
    confirmPanel.focus();
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      var action = submitter ? submitter.dataset.action : null;
      saveDraft();
      if (!confirmPanel || !action) { return; }
      if (confirmed === submitter) { confirmed = null; return; }
      event.preventDefault();
      if (action === "publish") {
        var blanks = blanksIn(textarea ? textarea.value : "");
        var confirmBox = document.getElementById("confirm");
        var author = root.dataset.author || "the author";
        if (blanks.length) {
          askOnPage(submitter, "Fill in these blanks before publishing:", blanks, false);
        } else if (confirmBox && !confirmBox.checked) {
          askOnPage(submitter, "Tick “I have read this reply through” first, then publish.", [],
                    false);
        } else {
          askOnPage(submitter, "Publish this reply to " + author +
                    "? It will appear on the public page straight away.", [], true);
        }
      } else if (action === "reject" || action === "spam") {
        var what = action === "reject" ? "Reject this comment" : "Mark this comment as spam";
        askOnPage(submitter, what + "? It will not be published.", [], true);
      }
    });
  }
}());
