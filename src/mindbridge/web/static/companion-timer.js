/* Runs the companion's exercise timers ([data-timer], from companion/_timer.html): a phase
   label, a countdown, a circle that grows and shrinks (classes styled in app.css, still under
   prefers-reduced-motion), and Start / Pause / Stop. The phase label is a polite live region:
   screen readers hear each phase and each state change, never each second. Timers start on
   page load and whenever htmx swaps one in. */
(function () {
  "use strict";

  function num(value, fallback) {
    var n = parseFloat(value);
    return n > 0 ? n : fallback;
  }

  function phasesOf(d) {
    if (d.kind === "paced_breathing") {
      var hold = num(d.holdSeconds, 0);
      var list = [{ label: "Breathe in", cls: "is-in", s: num(d.inhaleSeconds, 4) }];
      if (hold) list.push({ label: "Hold", cls: "is-full", s: hold });
      list.push({ label: "Breathe out", cls: "is-out", s: num(d.exhaleSeconds, 6) });
      if (hold) list.push({ label: "Hold", cls: "is-empty", s: hold });
      return list;
    }
    if (d.kind === "tense_release") {
      return [
        { label: "Tense", cls: "is-in", s: num(d.tenseSeconds, 5) },
        { label: "Release", cls: "is-out", s: num(d.releaseSeconds, 15) }
      ];
    }
    return [{ label: "Take your time", cls: "is-out", s: num(d.seconds, 60) }];
  }

  function clock(seconds) {
    var s = Math.max(0, Math.ceil(seconds));
    var r = s % 60;
    return Math.floor(s / 60) + ":" + (r < 10 ? "0" : "") + r;
  }

  function setup(el) {
    if (el.dataset.ready) return;
    el.dataset.ready = "1";
    var total = num(el.dataset.seconds, 60);
    var phases = phasesOf(el.dataset);
    var cycle = phases.reduce(function (sum, p) { return sum + p.s; }, 0);
    var find = function (selector) { return el.querySelector(selector); };
    var circle = find(".timer-circle");
    var label = find(".timer-phase");
    var left = find(".timer-clock");
    var start = find("[data-timer-start]");
    var pause = find("[data-timer-pause]");
    var stop = find("[data-timer-stop]");
    var elapsed = 0;
    var current = -1;
    var last = 0;
    var ticker = null;

    function say(text) {
      if (label.textContent !== text) label.textContent = text;
    }

    function showPhase(index) {
      var phase = phases[index];
      current = index;
      circle.className = "timer-circle";
      void circle.offsetWidth;  // restart the animation even if the class repeats
      circle.style.setProperty("--timer-phase", phase.s + "s");
      circle.className = "timer-circle " + phase.cls;
      say(phase.label);
    }

    function buttons(running, started) {
      start.disabled = running;
      start.textContent = started && !running ? "Resume" : "Start";
      pause.disabled = !running;
      stop.disabled = !started;
    }

    function halt() {
      if (ticker !== null) clearInterval(ticker);
      ticker = null;
    }

    function reset(message) {
      halt();
      elapsed = 0;
      current = -1;
      circle.className = "timer-circle";
      el.classList.remove("is-paused");
      left.textContent = clock(total);
      buttons(false, false);
      say(message);
    }

    function tick() {
      if (!el.isConnected) { halt(); return; }  // swapped away by the next reply
      var now = performance.now();
      elapsed += (now - last) / 1000;
      last = now;
      if (elapsed >= total) {
        reset("Finished. Tell the companion when you're ready.");
        return;
      }
      left.textContent = clock(total - elapsed);
      var at = elapsed % cycle;
      var index = 0;
      while (index < phases.length - 1 && at >= phases[index].s) {
        at -= phases[index].s;
        index += 1;
      }
      if (index !== current) showPhase(index);
    }

    start.addEventListener("click", function () {
      var resuming = elapsed > 0;
      el.classList.remove("is-paused");
      last = performance.now();
      buttons(true, true);
      if (resuming && current >= 0) say(phases[current].label);
      else showPhase(0);
      ticker = setInterval(tick, 200);
    });
    pause.addEventListener("click", function () {
      halt();
      el.classList.add("is-paused");
      buttons(false, true);
      say("Paused.");
    });
    stop.addEventListener("click", function () {
      reset("Stopped. Press Start to begin again.");
    });

    left.textContent = clock(total);
    find(".timer-run").hidden = false;
  }

  function init(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("[data-timer]")) setup(root);
    root.querySelectorAll("[data-timer]").forEach(setup);
  }

  document.addEventListener("htmx:load", function (event) { init(event.target); });
  init(document);
})();
