// Operator desk: screen-pops on every page (the small panel), the full call card, call
// control, parked calls and the queue figures on /desk/. Everything arrives over one
// websocket (/ws/desk/); nothing polls from the browser.
(function () {
  "use strict";
  var pop = document.getElementById("desk-pop");
  if (!pop || !window.WebSocket) { return; }
  var T = JSON.parse(document.getElementById("desk-i18n").textContent);
  var desk = document.getElementById("desk");
  var csrfInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = csrfInput ? csrfInput.value : "";
  var calls = {};  // uniqueid -> latest pop
  var retry = 500;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function stateLabel(kind) {
    return {ring: T.ringing, answer: T.answered, end: T.ended, dial: T.dialling}[kind] || kind;
  }
  function caller(p) {
    var box = el("div", {"class": "desk-caller", "data-number": p.number || ""});
    box.appendChild(el("strong", {"class": "desk-number"}, p.number || T.unknown));
    if (p.name) { box.appendChild(el("span", {"class": "desk-name"}, " " + p.name)); }
    box.appendChild(el("span", {"class": "desk-state"}, " · " + stateLabel(p.kind)));
    if (p.queue) { box.appendChild(el("div", {"class": "desk-queue"}, T.queue + ": " + p.queue)); }
    if (p.did) { box.appendChild(el("div", {"class": "desk-did"}, T.did + ": " + p.did)); }
    return box;
  }
  function cards(p) {
    var list = el("ul", {"class": "desk-cards"});
    (p.cards || []).forEach(function (c) {
      var item = el("li", {"class": "desk-contact-card", "data-kind": c.kind, "data-contact": c.contact_id || ""});
      var title = c.url ? el("a", {href: c.url, target: c.kind === "external" ? "_blank" : "_self"}, c.title) : el("strong", {}, c.title);
      item.appendChild(title);
      if (c.subtitle) { item.appendChild(el("div", {"class": "muted"}, c.subtitle)); }
      if (c.numbers && c.numbers.length) { item.appendChild(el("div", {"class": "muted"}, c.numbers.join(", "))); }
      list.appendChild(item);
    });
    if (!(p.cards || []).length) { list.appendChild(el("li", {"class": "muted desk-no-card"}, T.no_card)); }
    var links = el("div", {"class": "desk-links"});
    if (p.number && p.new_contact) { links.appendChild(el("a", {href: p.new_contact, "data-role": "new-contact", "class": "button"}, T.new_contact)); }
    if (p.number && p.link_contact) { links.appendChild(el("a", {href: p.link_contact, "data-role": "link-contact", "class": "button"}, T.link_contact)); }
    if (p.number) { links.appendChild(el("a", {href: pop.dataset.historyUrl + "?number=" + encodeURIComponent(p.number), "class": "button"}, T.history)); }
    var box = el("div", {});
    box.appendChild(list);
    box.appendChild(links);
    return box;
  }

  function showPanel(p) {
    pop.textContent = "";
    pop.dataset.state = p.kind;
    pop.dataset.call = p.uniqueid;
    var close = el("button", {type: "button", "class": "link-button desk-close", title: T.close}, "×");
    close.addEventListener("click", function () { pop.hidden = true; });
    pop.appendChild(close);
    pop.appendChild(caller(p));
    pop.appendChild(cards(p));
    if (!desk) { pop.appendChild(el("a", {href: pop.dataset.deskUrl, "class": "button"}, T.open_desk)); }
    pop.hidden = false;
  }

  // --- the desk page -------------------------------------------------------------------
  function act(params) {
    var body = new URLSearchParams(params);
    return fetch(desk.dataset.actionUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "X-Requested-With": "fetch"}
    }).then(function (r) { return r.json(); }).then(function (answer) {
      if (!answer.ok) { window.alert(answer.error); }
      return answer;
    });
  }
  function myPhone() {
    var select = document.getElementById("desk-phone");
    var value = select ? select.value.split(":") : ["", ""];
    return {server: value[0], extension: value[1]};
  }
  function control(p, name, label, extra) {
    var b = el("button", {type: "button", "data-desk-action": name}, label);
    b.addEventListener("click", function () {
      var params = {action: name, server: p.server, extension: p.extension, channel: p.channel, queue: p.queue || ""};
      if (name === "blind_transfer" || name === "attended_transfer") {
        var target = window.prompt(T.target, "");
        if (!target) { return; }
        params.target = target;
      }
      Object.assign(params, extra || {});
      act(params);
    });
    return b;
  }
  function showCard(p) {
    var card = document.getElementById("desk-card");
    card.textContent = "";
    card.dataset.state = p.kind;
    card.dataset.call = p.uniqueid;
    card.appendChild(caller(p));
    card.appendChild(cards(p));
    if (p.kind !== "end") {
      var buttons = el("div", {"class": "desk-controls"});
      var labels = JSON.parse(document.getElementById("desk-controls-i18n").textContent);
      (p.kind === "ring" ? ["answer", "hangup"] : ["hangup", "hold", "resume", "blind_transfer", "attended_transfer", "park"]).forEach(function (name) {
        buttons.appendChild(control(p, name, labels[name]));
      });
      card.appendChild(buttons);
    }
    if (p.interaction) {
      var form = document.getElementById("desk-interaction-template").content.cloneNode(true).firstElementChild;
      form.action = form.dataset.urlTemplate.replace("0", String(p.interaction));
      form.dataset.interaction = p.interaction;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: {"X-CSRFToken": csrf, "X-Requested-With": "fetch"}})
          .then(function (r) { return r.json(); })
          .then(function (answer) { form.querySelector(".desk-saved").textContent = answer.ok ? T.saved : JSON.stringify(answer.errors); });
      });
      card.appendChild(form);
    }
  }
  function showParked(rows) {
    var body = document.querySelector("#desk-parked tbody");
    if (!body) { return; }
    body.textContent = "";
    if (!rows.length) {
      var empty = el("tr", {}); empty.appendChild(el("td", {colspan: "4", "class": "muted"}, T.no_parked)); body.appendChild(empty);
    }
    rows.forEach(function (row) {
      var tr = el("tr", {"data-slot": row.slot});
      tr.appendChild(el("td", {}, row.slot));
      tr.appendChild(el("td", {}, (row.number || "") + " " + (row.name || "")));
      tr.appendChild(el("td", {}, row.since ? new Date(row.since * 1000).toLocaleTimeString() : ""));
      var td = el("td", {});
      var phone = myPhone();
      var labels = JSON.parse(document.getElementById("desk-controls-i18n").textContent);
      td.appendChild(control({server: row.server, extension: phone.extension, channel: ""}, "retrieve", labels.retrieve, {slot: row.slot}));
      tr.appendChild(td);
      body.appendChild(tr);
    });
  }
  function showFigures(data) {
    var box = document.getElementById("desk-figures");
    if (!box) { return; }
    box.textContent = "";
    box.appendChild(el("span", {"class": "desk-total", "data-role": "waiting"}, data.waiting + " " + T.waiting));
    box.appendChild(el("span", {"class": "desk-total", "data-role": "answered"}, data.answered + " " + T.answered_today));
    box.appendChild(el("span", {"class": "desk-total", "data-role": "lost"}, data.lost + " " + T.lost_today));
    data.queues.forEach(function (q) {
      box.appendChild(el("span", {"class": "desk-queue-figure", "data-queue": q.queue, "data-waiting": q.waiting},
        q.queue + ": " + q.waiting + " " + T.waiting + ", " + q.answered + " / " + q.lost));
    });
  }
  if (desk) {
    var dial = document.querySelector('[data-desk-action="dial"]');
    if (dial) {
      dial.addEventListener("click", function () {
        var phone = myPhone();
        var number = document.getElementById("desk-number").value.trim();
        if (!number) { return; }
        act({action: "dial", server: phone.server, extension: phone.extension, number: number});
      });
    }
  }

  // --- the websocket -------------------------------------------------------------------
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + pop.dataset.socket);
    socket.onopen = function () {
      retry = 500;
      document.body.dataset.deskSocket = "open";
      if (desk) { socket.send(JSON.stringify({figures: true, parked: true})); }
    };
    socket.onmessage = function (message) {
      var data = JSON.parse(message.data);
      if (data.pop) {
        var p = data.pop;
        if (p.kind === "end" && !calls[p.uniqueid]) { return; }
        calls[p.uniqueid] = Object.assign({}, calls[p.uniqueid] || {}, p,
          p.kind === "end" ? {cards: (calls[p.uniqueid] || {}).cards, number: (calls[p.uniqueid] || {}).number} : {});
        var merged = calls[p.uniqueid];
        if (p.kind !== "dial") { showPanel(merged); }
        if (desk) { showCard(merged); }
      }
      if (data.figures) { showFigures(data.figures); }
      if (data.parked) { showParked(data.parked); }
    };
    socket.onclose = function () {
      document.body.dataset.deskSocket = "closed";
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }
  connect();
})();
