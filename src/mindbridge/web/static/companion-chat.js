/* The companion chat with htmx (companion/chat.html): after a reply, clear and focus the
   message box and bring the new exchange into view; show a refused message (422) in the page;
   say so when a message could not be sent. Without JavaScript the form posts as usual. */
(function () {
  "use strict";
  var sent = "";
  var before = 0;

  function chatForm(event) {  // the element that made the request (not the swap target)
    var d = event.detail || {};
    var elt = d.requestConfig ? d.requestConfig.elt : d.elt;
    return elt && elt.id === "chat-form" ? elt : null;
  }

  function lines() {
    return document.querySelectorAll("#chat-log .chat-line");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = chatForm(event);
    if (form) sent = form.elements.message.value;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!chatForm(event)) return;
    before = lines().length;
    if (event.detail.xhr.status === 422) {  // "type a message first": show it, not an error
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = chatForm(event);
    if (!form) return;
    var box = form.elements.message;
    if (event.detail.xhr && event.detail.xhr.status === 200) {
      if (box.value === sent) box.value = "";  // keep anything typed while waiting
      var first = lines()[before];
      if (first) first.scrollIntoView({ block: "start" });
    }
    box.focus({ preventScroll: true });
  });

  function failed(event) {
    if (!chatForm(event)) return;
    var holder = document.getElementById("chat-error");
    var box = document.createElement("div");
    var text = document.createElement("p");
    box.className = "error";
    box.setAttribute("role", "alert");
    text.textContent = "Sorry, your message did not reach us. Check your connection and try again.";
    box.appendChild(text);
    holder.replaceChildren(box);
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);
})();
