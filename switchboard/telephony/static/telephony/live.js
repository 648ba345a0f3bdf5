// Live pages: one websocket, views pushed by the telephony worker, no polling.
// Renders the queues, calls and presence views into the page and posts supervisor actions.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) { return; }
  var T = JSON.parse(document.getElementById("live-i18n").textContent);
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  var servers = (root.dataset.servers || "").split(",").filter(Boolean).map(Number);
  var watch = (root.dataset.watch || "").split(",").filter(Boolean);
  var latest = {};  // server -> view -> data
  var socket = null;
  var retry = 500;

  function panel(server) { return root.querySelector('.pbx[data-server="' + server + '"]'); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function duration(since) {
    if (!since) { return ""; }
    var s = Math.max(0, Math.round(Date.now() / 1000 - since));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + ":" : "") + (h && m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }
  function label(state) { return T[state] || state || T.unknown; }
  function myPhone(server) {
    var select = panel(server).querySelector('[data-role="my-phone"]');
    return select ? select.value : "";
  }

  function act(server, params) {
    var body = new URLSearchParams(params);
    body.set("server", server);
    if (["listen", "whisper", "barge"].indexOf(params.action) >= 0) {
      var phone = myPhone(server);
      if (!phone) { window.alert(T.my_phone_first); return; }
      body.set("supervisor_device", phone);
    }
    return fetch(root.dataset.actionUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "X-Requested-With": "fetch"}
    }).then(function (r) { return r.json(); }).then(function (answer) {
      if (!answer.ok) { window.alert(answer.error); }
    });
  }

  function button(server, text, params, name) {
    var b = el("button", {type: "button", "data-action": name || params.action}, text);
    b.addEventListener("click", function () {
      if (params.action === "pause") {
        var reason = window.prompt(T.reason, "");
        if (reason === null) { return; }
        params = Object.assign({}, params, {reason: reason});
      }
      act(server, params);
    });
    return b;
  }

  function renderLinkState(server, connection) {
    var node = panel(server).querySelector('[data-role="link-state"]');
    if (!node || !connection) { return; }
    node.textContent = label(connection.state) + (connection.error && connection.state !== "connected" ? " — " + connection.error : "");
    node.className = "link-state " + connection.state;
  }

  function renderPhones(server, data) {
    var select = panel(server).querySelector('[data-role="my-phone"]');
    if (!select) { return; }
    var current = select.value || window.localStorage.getItem("switchboard-my-phone") || "";
    while (select.options.length > 1) { select.remove(1); }
    (data.devices || []).forEach(function (d) {
      var o = el("option", {value: d.device}, d.device);
      if (d.device === current) { o.selected = true; }
      select.appendChild(o);
    });
    select.onchange = function () { window.localStorage.setItem("switchboard-my-phone", select.value); };
  }

  function renderQueues(server, data) {
    var box = panel(server).querySelector('[data-role="queues"]');
    if (!box) { return; }
    var template = panel(server).querySelector('[data-role="queue-template"]');
    // What a supervisor is typing in an "add agent" form survives the re-rendering.
    var typed = {}, focused = null;
    box.querySelectorAll('[data-role="add-agent"]').forEach(function (form) {
      var queue = form.closest("[data-queue]").dataset.queue;
      typed[queue] = {};
      Array.prototype.forEach.call(form.elements, function (input) {
        if (input.name) {
          typed[queue][input.name] = input.value;
          if (input === document.activeElement) { focused = [queue, input.name]; }
        }
      });
    });
    box.textContent = "";
    (data.queues || []).forEach(function (q) {
      var card = template.content.firstElementChild.cloneNode(true);
      card.dataset.queue = q.name;
      card.querySelector('[data-field="name"]').textContent = q.name;
      card.querySelector('[data-field="summary"]').textContent =
        q.callers.length + " / " + q.members.filter(function (m) { return m.state !== "offline"; }).length +
        " · " + (q.completed || 0) + " ✓ · " + (q.abandoned || 0) + " ✗";
      var agents = card.querySelector(".agents tbody");
      if (!q.members.length) { agents.appendChild(el("tr")).appendChild(el("td", {colspan: 6}, T.no_agents)); }
      q.members.forEach(function (m) {
        var tr = el("tr", {"data-agent": m.interface, "data-state": m.state});
        tr.appendChild(el("td", {}, m.name || m.interface));
        tr.appendChild(el("td", {}, m.penalty));
        tr.appendChild(el("td", {"class": "state " + m.state}, label(m.state) + (m.paused_reason ? " (" + m.paused_reason + ")" : "")));
        tr.appendChild(el("td", {"data-since": m.since || ""}, duration(m.since)));
        tr.appendChild(el("td", {"data-role": "today"}, (m.received_today || 0) + " / " + (m.made_today || 0)));
        var tools = el("td", {"class": "actions no-print"});
        var base = {queue: q.name, interface: m.interface};
        tools.appendChild(m.paused ? button(server, T.unpause, Object.assign({action: "unpause"}, base))
                                   : button(server, T.pause, Object.assign({action: "pause"}, base)));
        tools.appendChild(button(server, T.remove, Object.assign({action: "remove"}, base)));
        if (m.channel) {
          ["listen", "whisper", "barge", m.recording ? "stop_record" : "record"].forEach(function (a) {
            tools.appendChild(button(server, T[a], Object.assign({action: a, channel: m.channel}, base)));
          });
        }
        if (m.recording) { tr.children[2].appendChild(el("span", {"class": "rec", "data-role": "recording"}, " ● " + T.recording)); }
        tr.appendChild(tools);
        agents.appendChild(tr);
      });
      var callers = card.querySelector(".callers tbody");
      if (!q.callers.length) { callers.appendChild(el("tr")).appendChild(el("td", {colspan: 3}, T.no_callers)); }
      q.callers.forEach(function (c) {
        var tr = el("tr", {"data-caller": c.caller, "data-channel": c.channel});
        tr.appendChild(el("td", {}, c.position));
        tr.appendChild(el("td", {}, (c.caller_name ? c.caller_name + " " : "") + (c.caller || "")));
        tr.appendChild(el("td", {"data-since": c.since || ""}, duration(c.since)));
        callers.appendChild(tr);
      });
      card.querySelector('[data-role="add-agent"]').addEventListener("submit", function (event) {
        event.preventDefault();
        var f = event.target;
        act(server, {action: "add", queue: q.name, interface: f.interface.value,
                     member_name: f.member_name.value, penalty: f.penalty.value});
        f.reset();
      });
      var form = card.querySelector('[data-role="add-agent"]');
      Object.keys(typed[q.name] || {}).forEach(function (name) { form.elements[name].value = typed[q.name][name]; });
      box.appendChild(card);
      if (focused && focused[0] === q.name) { form.elements[focused[1]].focus(); }
    });
  }

  function renderCalls(server, data) {
    var body = panel(server).querySelector('[data-role="calls"]');
    if (!body) { return; }
    body.textContent = "";
    if (!(data.calls || []).length) { body.appendChild(el("tr")).appendChild(el("td", {colspan: 6}, T.no_calls)); }
    (data.calls || []).forEach(function (c) {
      var tr = el("tr", {"data-call": c.id, "data-state": c.state});
      tr.appendChild(el("td", {}, (c.caller_name ? c.caller_name + " " : "") + (c.caller || "")));
      tr.appendChild(el("td", {}, c.first_callee || ""));
      tr.appendChild(el("td", {}, c.current_party || ""));
      tr.appendChild(el("td", {"class": "state " + c.state}, label(c.state)));
      tr.appendChild(el("td", {"data-since": c.since || ""}, duration(c.since)));
      var tools = el("td", {"class": "actions no-print"});
      if (c.channel) { tools.appendChild(button(server, T.listen, {action: "listen", channel: c.channel})); }
      tr.appendChild(tools);
      body.appendChild(tr);
    });
  }

  function renderPresence(server, data) {
    renderPhones(server, data);
    var board = panel(server).querySelector('[data-role="presence"]');
    if (!board) { return; }
    board.textContent = "";
    (data.devices || []).forEach(function (d) {
      var tile = el("div", {"class": "tile " + d.state, "data-device": d.device, "data-state": d.state});
      tile.appendChild(el("strong", {}, d.device));
      tile.appendChild(el("span", {}, label(d.state) + (d["with"] ? " — " + d["with"] : "")));
      tile.appendChild(el("small", {"data-since": d.since || ""}, duration(d.since)));
      board.appendChild(tile);
    });
  }

  var renderers = {queues: renderQueues, calls: renderCalls, presence: renderPresence};

  function onMessage(event) {
    var message = JSON.parse(event.data);
    if (!message.view || !message.data) { return; }
    latest[message.server] = latest[message.server] || {};
    latest[message.server][message.view] = message.data;
    renderLinkState(message.server, message.view === "status" ? message.data : message.data.connection);
    if (renderers[message.view]) { renderers[message.view](message.server, message.data); }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.dataset.ws);
    socket.onopen = function () {
      retry = 500;
      root.classList.remove("lost");
      var items = [];
      servers.forEach(function (s) { watch.forEach(function (v) { items.push({server: s, view: v}); }); });
      socket.send(JSON.stringify({watch: items}));
    };
    socket.onmessage = onMessage;
    socket.onclose = function () {
      root.classList.add("lost");
      servers.forEach(function (s) { renderLinkState(s, {state: "disconnected", error: T.lost}); });
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  // Durations tick locally between updates.
  window.setInterval(function () {
    root.querySelectorAll("[data-since]").forEach(function (node) {
      var since = parseFloat(node.getAttribute("data-since"));
      if (since) { node.textContent = duration(since); }
    });
  }, 1000);

  if (servers.length) { connect(); }
})();
