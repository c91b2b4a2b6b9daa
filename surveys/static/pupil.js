/* Klasklimaat pupil screens: what JavaScript adds to forms that work without it.
 *
 * - screens change in place (fetch + swap), so read-aloud keeps the tap that allowed it;
 * - one tap on a face answers and moves on;
 * - read-aloud with the browser's speech synthesis (Dutch voice), automatic for groep 3-4;
 * - the finished questionnaire is queued in localStorage and sent until the server has it,
 *   with a client-made submission id so that a retry or a double tap stores one response;
 * - in kiosk mode the tablet returns to the start after the thank-you screen, and forgets an
 *   unfinished questionnaire that was left alone.
 * No inline script anywhere: the pages are served with script-src 'self'.
 */
(function () {
  "use strict";

  var QUEUE_KEY = "klasklimaat-queue";
  var MAX_BACKOFF_MS = 30000;
  var api = window.klasklimaat = window.klasklimaat || {};
  api.spoken = api.spoken || [];
  var busy = false;
  var idleTimer = null;
  var usedPointer = false;
  var inFlight = {};

  function screen() { return document.getElementById("screen"); }

  // --- speech -----------------------------------------------------------------------------

  function speechText(root) {
    var el = root.querySelector(".speech");
    return el ? el.textContent.trim() : "";
  }

  function pickVoice(lang) {
    var synth = window.speechSynthesis;
    if (!synth || typeof synth.getVoices !== "function") { return null; }
    var voices = synth.getVoices() || [];
    var base = lang.split("-")[0];
    for (var i = 0; i < voices.length; i++) { if (voices[i].lang === lang) { return voices[i]; } }
    for (var j = 0; j < voices.length; j++) {
      if ((voices[j].lang || "").split(/[-_]/)[0] === base) { return voices[j]; }
    }
    return null;
  }

  function speak(root) {
    var synth = window.speechSynthesis;
    var text = speechText(root);
    if (!synth || !window.SpeechSynthesisUtterance || !text) { return false; }
    var lang = root.getAttribute("data-speech-lang") || "nl-NL";
    try { synth.cancel(); } catch (e) { /* nothing was speaking */ }
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = lang;
    utterance.rate = 0.9;
    var voice = pickVoice(lang);
    if (voice) { try { utterance.voice = voice; } catch (e) { /* keep the default voice */ } }
    var button = root.querySelector(".speak");
    if (button) {
      button.classList.add("speaking");
      utterance.onend = utterance.onerror = function () { button.classList.remove("speaking"); };
    }
    api.lastSpoken = { text: text, lang: lang };
    api.spoken.push(api.lastSpoken);
    synth.speak(utterance);
    return true;
  }

  // --- moving between screens -------------------------------------------------------------

  function backoff(attempt, root) {
    var base = parseInt((root || screen()).getAttribute("data-retry-ms") || "1000", 10);
    return Math.min(base * Math.pow(2, attempt), MAX_BACKOFF_MS);
  }

  function showWait(root, message) {
    var wait = root.querySelector(".wait");
    if (!wait) { return; }
    wait.textContent = message || "";
    wait.hidden = !message;
  }

  function swap(html, url) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var next = doc.getElementById("screen");
    if (!next) { window.location.assign(url); return; }
    document.title = doc.title;
    document.documentElement.lang = doc.documentElement.lang;
    document.body.className = doc.body.className;
    screen().replaceWith(document.adoptNode(next));
    window.scrollTo(0, 0);
    init(true);
  }

  function go(url, options, attempt) {
    var root = screen();
    attempt = attempt || 0;
    busy = true;
    var init = { method: options.method || "GET", credentials: "same-origin",
                 headers: { "X-Klasklimaat-Nav": "1" } };
    if (options.body) {
      init.body = options.body;
      init.headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    return fetch(url, init).then(function (response) {
      return response.text().then(function (html) {
        busy = false;
        swap(html, response.url || url);
      });
    }).catch(function () {
      if (screen() !== root) { busy = false; return; }
      showWait(root, root.getAttribute("data-wait") || "…");
      setTimeout(function () {
        if (screen() === root) { go(url, options, attempt + 1); } else { busy = false; }
      }, backoff(attempt, root));
    });
  }

  function goHome() {
    var root = screen();
    var home = root && root.getAttribute("data-home");
    if (home) { go(home, { method: "GET" }); }
  }

  function formBody(form, submitter) {
    var data = new FormData(form);
    var params = new URLSearchParams();
    data.forEach(function (value, key) { params.append(key, value); });
    if (submitter && submitter.name) { params.append(submitter.name, submitter.value); }
    return params.toString();
  }

  // --- the finished questionnaire: queue, send, retry ----------------------------------------

  function readQueue() {
    try { return JSON.parse(window.localStorage.getItem(QUEUE_KEY) || "[]") || []; }
    catch (e) { return []; }
  }

  function writeQueue(queue) {
    try { window.localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); } catch (e) { /* full */ }
  }

  function enqueue(entry) {
    var queue = readQueue().filter(function (e) { return e.id !== entry.id; });
    queue.push(entry);
    writeQueue(queue);
  }

  function dequeue(id) {
    writeQueue(readQueue().filter(function (e) { return e.id !== id; }));
  }

  api.queue = readQueue;

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function post(entry) {
    var body = new URLSearchParams();
    body.append("t", entry.t);
    if (entry.lang) { body.append("lang", entry.lang); }  // for a refusal in the child's language
    return fetch(entry.url, {
      method: "POST", credentials: "same-origin", body: body.toString(),
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 "X-Klasklimaat": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      if (response.status >= 500 || response.status === 429 || response.status === 408) {
        throw new Error("server busy");
      }
      return response.json().then(function (data) {
        return { ok: response.ok && data.ok, next: data.next, refused: !response.ok };
      });
    });
  }

  // Send one queued questionnaire until the server has it. ``root`` is the screen that waits
  // for it (null for a background send of an earlier pupil's answers).
  function deliver(entry, attempt, root) {
    if (inFlight[entry.id] && attempt === 0) { return; }
    inFlight[entry.id] = true;
    post(entry).then(function (result) {
      delete inFlight[entry.id];
      dequeue(entry.id);
      if (!root || screen() !== root) { return; }
      if (result.ok) {
        go(result.next, { method: "GET" });
      } else {
        sendingText(root, "data-refused");
        root.querySelector(".sending .spinner").hidden = true;
      }
    }).catch(function () {
      if (root && screen() === root) { sendingText(root, "data-retry"); }
      setTimeout(function () {
        deliver(entry, attempt + 1, root && screen() === root ? root : null);
      }, backoff(attempt, root));
    });
  }

  function sendingText(root, which) {
    var el = root.querySelector(".sending-text");
    if (el) { el.textContent = el.getAttribute(which); }
  }

  function sendFinished(form) {
    var root = screen();
    var lang = form.querySelector("[name=lang]");
    var entry = { id: newId(), t: form.querySelector("[name=t]").value, url: form.action,
                  lang: lang ? lang.value : "" };
    enqueue(entry);
    root.querySelectorAll("form").forEach(function (f) { f.hidden = true; });
    var panel = root.querySelector(".sending");
    if (panel) { panel.hidden = false; }
    sendingText(root, "data-first");
    deliver(entry, 0, root);
  }

  function flushQueue() {
    readQueue().forEach(function (entry) {
      if (!inFlight[entry.id]) { deliver(entry, 0, null); }
    });
  }

  // --- kiosk: back to the start ------------------------------------------------------------

  function armIdle() {
    clearTimeout(idleTimer);
    var root = screen();
    if (!root || !root.getAttribute("data-home")) { return; }
    var reset = root.getAttribute("data-reset-seconds");
    var seconds = parseFloat(reset || root.getAttribute("data-idle-seconds") || "180");
    idleTimer = setTimeout(goHome, seconds * 1000);
  }

  function activity() {
    var root = screen();
    if (root && !root.getAttribute("data-reset-seconds")) { armIdle(); }
  }

  // --- events (delegated: screens come and go) -----------------------------------------------

  document.addEventListener("pointerdown", function () { usedPointer = true; activity(); }, true);
  document.addEventListener("keydown", function () { usedPointer = false; activity(); }, true);

  document.addEventListener("click", function (event) {
    var root = screen();
    var target = event.target;
    if (!root || !root.contains(target)) { return; }
    var speakButton = target.closest(".speak");
    if (speakButton) { speak(root); return; }
    var key = target.closest(".key");
    if (key) {
      event.preventDefault();
      var input = root.querySelector(".code-input");
      var max = parseInt(input.getAttribute("data-length") || "6", 10);
      if (key.value === "del") { input.value = input.value.slice(0, -1); }
      else if (input.value.replace(/[^A-Za-z0-9]/g, "").length < max) { input.value += key.value; }
      return;
    }
    var link = target.closest("a[href]");
    if (link && link.origin === window.location.origin && link.pathname.indexOf("/k/") === 0) {
      event.preventDefault();
      if (!busy) { go(link.href, { method: "GET" }); }
      return;
    }
    var radio = target.closest("input[type=radio][name=answer]");
    if (radio && usedPointer) {
      // One tap answers and moves on (a tap on the answer already chosen too).
      var form = radio.form;
      var next = form.querySelector("button[value=next]");
      var delay = parseInt(root.getAttribute("data-advance-ms") || "250", 10);
      setTimeout(function () {
        if (screen() === root && !busy) { form.requestSubmit(next); }
      }, delay);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var root = screen();
    if (!root || !root.contains(form)) { return; }
    event.preventDefault();
    if (busy) { return; }
    if (form.hasAttribute("data-send")) { sendFinished(form); return; }
    go(form.action, { method: "POST", body: formBody(form, event.submitter) });
  });

  // --- each screen ---------------------------------------------------------------------------

  function init(swapped) {
    var root = screen();
    if (!root) { return; }
    api.screens = (api.screens || 0) + 1;  // lets a test wait for the next screen
    var button = root.querySelector(".speak");
    if (button && window.speechSynthesis && window.SpeechSynthesisUtterance) {
      button.hidden = false;
    }
    if (swapped) { root.focus({ preventScroll: true }); }
    if (root.getAttribute("data-autoread")) { speak(root); }
    armIdle();
    flushQueue();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(false); });
  } else {
    init(false);
  }
})();
