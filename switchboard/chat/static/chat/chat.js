/* Staff chat: the header badge and the open conversation, fed by the chat websocket. */
(function () {
  "use strict";
  const link = document.getElementById("chat-link");
  if (!link || !window.WebSocket) return;
  const badge = document.getElementById("chat-unread");
  const me = Number(link.dataset.chatMe);
  const list = document.getElementById("chat-messages");
  const key = list ? list.dataset.conversation : "";
  let delay = 1000;

  function showUnread(count) {
    badge.dataset.count = String(count);
    badge.textContent = count >= 100 ? "99+" : String(count);
    badge.hidden = !count;
  }

  function belongsHere(message) {
    if (!key) return false;
    if (key === "everyone") return message.recipient === null;
    const other = Number(key);
    return message.recipient !== null &&
      ((message.sender === other && message.recipient === me) ||
       (message.sender === me && message.recipient === other));
  }

  function append(message) {
    if (list.querySelector('[data-message="' + message.id + '"]')) return;
    const empty = document.getElementById("chat-empty");
    if (empty) empty.remove();
    const item = document.createElement("li");
    item.dataset.message = String(message.id);
    if (message.sender === me) item.className = "mine";
    const sender = document.createElement("span");
    sender.className = "sender";
    sender.textContent = message.sender_name;
    const time = document.createElement("time");
    time.dateTime = message.sent_at;
    time.textContent = message.sent_at.slice(0, 16).replace("T", " ");
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = message.text;
    item.append(sender, " ", time, text);
    list.append(item);
    item.scrollIntoView({block: "nearest"});
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + link.dataset.chatSocket);
    socket.onopen = function () { delay = 1000; };
    socket.onmessage = function (event) {
      const data = JSON.parse(event.data);
      if (typeof data.unread === "number") showUnread(data.unread);
      if (data.message && belongsHere(data.message)) {
        append(data.message);
        if (data.message.sender !== me) {
          socket.send(JSON.stringify({
            read: key === "everyone" ? "everyone" : Number(key),
            up_to: data.message.id,
          }));
        }
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4401) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
