/* The IVR scenario editor: blocks of actions edited as forms, drawn as a graph (SVG).
 *
 * Reads the scenario and the choices (phones, queues, incidents, sounds) from the JSON
 * script #ivr-data, and every label from #ivr-strings (translated by the server). Saving
 * posts the scenario as JSON; the server validates it, stores it and applies it to the PBX,
 * then the outcome or the errors (each next to its block and action) are shown.
 */
(function () {
  "use strict";

  const root = document.getElementById("ivr-editor");
  if (!root) return;
  const data = JSON.parse(document.getElementById("ivr-data").textContent);
  const T = JSON.parse(document.getElementById("ivr-strings").textContent);
  const blocksPane = document.getElementById("ivr-blocks");
  const graph = document.getElementById("ivr-graph");
  const status = document.getElementById("ivr-status");
  const errorList = document.getElementById("ivr-errors");
  const SVG = "http://www.w3.org/2000/svg";
  const TYPES = ["play", "speech", "read", "menu", "goto", "time", "holiday", "incident",
    "transfer", "hangup", "callback"];
  const TERMINAL = new Set(["menu", "goto", "transfer", "hangup"]);

  let scenario = normalise(data.scenario);
  let errors = [];

  function normalise(value) {
    const blocks = (value && Array.isArray(value.blocks)) ? value.blocks : [];
    const withDefaults = (a) => {
      // Menus and reads saved without these fields use the server's defaults: show them.
      const defaults = a.type === "menu" ? { max_digits: 1, timeout: 5 } : a.type === "read" ? { max_digits: 4, timeout: 5 } : {};
      return Object.assign(defaults, a);
    };
    return { blocks: blocks.map((b) => ({ name: String(b.name || ""), actions: (b.actions || []).map(withDefaults) })) };
  }

  function newAction(type) {
    switch (type) {
      case "play": return { type, sound: "" };
      case "speech": return { type, text: "", language: document.documentElement.lang || "en" };
      case "read": return { type, variable: "DIGITS", sound: "", max_digits: 4, timeout: 5 };
      case "menu": return { type, sound: "", max_digits: 1, timeout: 5, keys: [], patterns: [], on_timeout: "", on_invalid: "" };
      case "time": return { type, days: ["mon", "tue", "wed", "thu", "fri"], ranges: [["09:00", "17:00"]], target: "" };
      case "incident": return { type, incident: "", target: "" };
      case "transfer": return { type, kind: "phone", number: "" };
      case "hangup": return { type };
      case "callback": return { type, queue: "", sound: "auth-thankyou" };
      default: return { type, target: "" };
    }
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function options(select, choices, current, empty) {
    if (empty !== undefined) select.append(el("option", { value: "", text: empty }));
    for (const [value, label] of choices) {
      select.append(el("option", { value, text: label, selected: value === current }));
    }
    if (current && !choices.some(([value]) => value === current)) {
      select.append(el("option", { value: current, text: current, selected: true }));
    }
    return select;
  }

  function blockChoices() {
    return scenario.blocks.map((b) => [b.name, b.name]);
  }

  function field(label, input) {
    return el("label", { class: "ivr-field" }, [el("span", { text: label }), input]);
  }

  // An input bound to action[key]; structural changes redraw everything, text only the graph.
  function bound(action, key, input, redraw) {
    input.dataset.field = key;
    input.addEventListener(input.tagName === "SELECT" ? "change" : "input", () => {
      let value = input.value;
      if (input.type === "number") value = value === "" ? "" : Number(value);
      action[key] = value;
      redraw ? render() : drawGraph();
    });
    return input;
  }

  function textInput(action, key, attrs) {
    return bound(action, key, el("input", Object.assign({ type: "text", value: action[key] ?? "" }, attrs || {})));
  }

  function numberInput(action, key, min, max) {
    return bound(action, key, el("input", { type: "number", min, max, value: action[key] ?? "" }));
  }

  function targetSelect(action, key, empty) {
    return bound(action, key, options(el("select"), blockChoices(), action[key] || "", empty), true);
  }

  function soundInput(action) {
    return textInput(action, "sound", { list: "ivr-sounds", placeholder: "hello-world" });
  }

  function pairRows(action, key, makeFirst, firstLabel, addLabel, fresh) {
    const rows = el("div", { class: "ivr-pairs", "data-pairs": key });
    (action[key] || []).forEach((pair, index) => {
      const first = makeFirst(pair, index);
      const target = options(el("select", { "data-field": `${key}-target` }), blockChoices(), pair[1] || "", T.choose);
      target.addEventListener("change", () => { pair[1] = target.value; render(); });
      const remove = el("button", { type: "button", class: "link", text: T.remove, onclick: () => { action[key].splice(index, 1); render(); } });
      rows.append(el("div", { class: "ivr-pair" }, [field(firstLabel, first), field(T.target, target), remove]));
    });
    rows.append(el("button", { type: "button", "data-add": key, text: addLabel, onclick: () => { action[key] = action[key] || []; action[key].push(fresh()); render(); } }));
    return rows;
  }

  function actionFields(action) {
    const parts = [];
    switch (action.type) {
      case "play":
        parts.push(field(T.sound, soundInput(action)));
        break;
      case "speech":
        parts.push(field(T.text, textInput(action, "text", { size: 40 })));
        parts.push(field(T.language, textInput(action, "language", { size: 5 })));
        break;
      case "read":
        parts.push(field(T.variable, textInput(action, "variable", { size: 12 })));
        parts.push(field(T.sound, soundInput(action)));
        parts.push(field(T.max_digits, numberInput(action, "max_digits", 1, 20)));
        parts.push(field(T.timeout, numberInput(action, "timeout", 1, 60)));
        break;
      case "menu":
        parts.push(field(T.sound, soundInput(action)));
        parts.push(field(T.max_digits, numberInput(action, "max_digits", 1, 20)));
        parts.push(field(T.timeout, numberInput(action, "timeout", 1, 60)));
        parts.push(el("div", { class: "ivr-sub" }, [el("strong", { text: T.keys }), pairRows(action, "keys", (pair) => {
          const key = el("input", { type: "text", size: 2, maxlength: 1, value: pair[0] || "", "data-field": "keys-key" });
          key.addEventListener("input", () => { pair[0] = key.value; drawGraph(); });
          return key;
        }, T.key, T.add_key, () => ["", ""])]));
        parts.push(el("div", { class: "ivr-sub" }, [el("strong", { text: T.patterns }), pairRows(action, "patterns", (pair) => {
          const regex = el("input", { type: "text", size: 16, value: pair[0] || "", placeholder: "^12[0-9]{2}$", "data-field": "patterns-regex" });
          regex.addEventListener("input", () => { pair[0] = regex.value; });
          return regex;
        }, T.pattern, T.add_pattern, () => ["", ""])]));
        parts.push(field(T.on_timeout, targetSelect(action, "on_timeout", T.none)));
        parts.push(field(T.on_invalid, targetSelect(action, "on_invalid", T.none)));
        break;
      case "goto":
      case "holiday":
        parts.push(field(T.target, targetSelect(action, "target", T.choose)));
        break;
      case "time": {
        const days = el("span", { class: "ivr-days" });
        for (const day of data.weekdays) {
          const box = el("input", { type: "checkbox", value: day, checked: (action.days || []).includes(day) });
          box.addEventListener("change", () => {
            const chosen = new Set(action.days || []);
            box.checked ? chosen.add(day) : chosen.delete(day);
            action.days = data.weekdays.filter((d) => chosen.has(d));
          });
          days.append(el("label", {}, [box, T[day]]));
        }
        parts.push(field(T.days, days));
        const ranges = el("div", { class: "ivr-pairs" });
        (action.ranges || []).forEach((range, index) => {
          const start = el("input", { type: "time", value: range[0] || "" });
          const end = el("input", { type: "time", value: range[1] || "" });
          start.addEventListener("input", () => { range[0] = start.value; });
          end.addEventListener("input", () => { range[1] = end.value; });
          const remove = el("button", { type: "button", class: "link", text: T.remove, onclick: () => { action.ranges.splice(index, 1); render(); } });
          ranges.append(el("div", { class: "ivr-pair" }, [start, " – ", end, remove]));
        });
        ranges.append(el("button", { type: "button", text: T.add_range, onclick: () => { action.ranges = action.ranges || []; action.ranges.push(["09:00", "17:00"]); render(); } }));
        parts.push(field(T.ranges, ranges));
        parts.push(field(T.target, targetSelect(action, "target", T.choose)));
        break;
      }
      case "incident":
        parts.push(field(T.incident_name, bound(action, "incident", options(el("select"), data.incidents, action.incident || "", T.choose))));
        parts.push(field(T.target, targetSelect(action, "target", T.choose)));
        break;
      case "transfer": {
        const kinds = ["phone", "queue", "external", "voicemail"].map((k) => [k, T[k]]);
        parts.push(field(T.kind, bound(action, "kind", options(el("select"), kinds, action.kind || "phone"), true)));
        let number;
        if (action.kind === "external") number = textInput(action, "number", { size: 14, inputmode: "tel" });
        else {
          const choices = action.kind === "queue" ? data.queues : data.phones;
          number = bound(action, "number", options(el("select"), choices, action.number || "", T.choose));
        }
        parts.push(field(T.number, number));
        break;
      }
      case "callback":
        // The caller's number is stored for the operators (of the queue, if one is chosen),
        // then the confirmation sound plays; the block goes on after it.
        parts.push(field(T.callback_queue, bound(action, "queue", options(el("select"), data.queues, action.queue || "", T.no_queue))));
        parts.push(field(T.confirmation, soundInput(action)));
        break;
      default:
        break;
    }
    return parts;
  }

  function errorsFor(block, index) {
    const found = errors.filter((e) => e.block === block && (index === undefined ? e.action === null : e.action === index));
    if (!found.length) return null;
    return el("ul", { class: "errorlist" }, found.map((e) => el("li", { text: e.message })));
  }

  function move(list, from, to) {
    if (to < 0 || to >= list.length) return;
    const [item] = list.splice(from, 1);
    list.splice(to, 0, item);
    render();
  }

  function renderBlock(block, blockIndex) {
    const section = el("section", { class: "ivr-block card", "data-block": block.name });
    const head = el("header", {}, [el("h3", { text: block.name })]);
    if (block.name !== "incoming") {
      head.append(el("button", { type: "button", class: "link", "data-remove-block": block.name, text: T.remove_block, onclick: () => { scenario.blocks.splice(blockIndex, 1); render(); } }));
    }
    section.append(head);
    const blockErrors = errorsFor(block.name);
    if (blockErrors) section.append(blockErrors);
    const list = el("ol", { class: "ivr-actions" });
    block.actions.forEach((action, index) => {
      const item = el("li", { class: "ivr-action", "data-type": action.type, "data-index": index });
      item.append(el("div", { class: "ivr-action-head" }, [
        el("strong", { text: T[action.type] || action.type }),
        el("button", { type: "button", class: "link", text: T.up, onclick: () => move(block.actions, index, index - 1) }),
        el("button", { type: "button", class: "link", text: T.down, onclick: () => move(block.actions, index, index + 1) }),
        el("button", { type: "button", class: "link", "data-remove-action": index, text: T.remove, onclick: () => { block.actions.splice(index, 1); render(); } }),
      ]));
      item.append(el("div", { class: "ivr-fields" }, actionFields(action)));
      const actionErrors = errorsFor(block.name, index);
      if (actionErrors) item.append(actionErrors);
      list.append(item);
    });
    section.append(list);
    const last = block.actions[block.actions.length - 1];
    if (!last || !TERMINAL.has(last.type)) {
      const type = options(el("select", { "data-new-action": block.name }), TYPES.map((t) => [t, T[t]]), "play");
      section.append(el("div", { class: "ivr-add" }, [type, el("button", { type: "button", "data-add-action": block.name, text: T.add_action, onclick: () => { block.actions.push(newAction(type.value)); render(); } })]));
    }
    return section;
  }

  function render() {
    blocksPane.replaceChildren(...scenario.blocks.map(renderBlock));
    const general = errors.filter((e) => !e.block);
    errorList.replaceChildren(...general.map((e) => el("li", { text: e.message })));
    drawGraph();
  }

  // ---- the graph: blocks in columns by distance from "incoming", arrows for every jump ----

  function edges() {
    const found = [];
    for (const block of scenario.blocks) {
      for (const action of block.actions) {
        const add = (target, label) => { if (target) found.push([block.name, target, label]); };
        add(action.target, T[action.type] || "");
        add(action.on_timeout, T.on_timeout);
        add(action.on_invalid, T.on_invalid);
        for (const [key, target] of action.keys || []) add(target, key);
        for (const [regex, target] of action.patterns || []) add(target, regex);
      }
    }
    return found;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function drawGraph() {
    const links = edges();
    const depth = new Map([["incoming", 0]]);
    const queue = ["incoming"];
    while (queue.length) {
      const name = queue.shift();
      for (const [from, to] of links) {
        if (from === name && !depth.has(to) && scenario.blocks.some((b) => b.name === to)) {
          depth.set(to, depth.get(name) + 1);
          queue.push(to);
        }
      }
    }
    const maxDepth = Math.max(0, ...depth.values());
    const columns = new Map();
    const place = new Map();
    for (const block of scenario.blocks) {
      const column = depth.has(block.name) ? depth.get(block.name) : maxDepth + 1;
      const row = columns.get(column) || 0;
      columns.set(column, row + 1);
      place.set(block.name, { x: 10 + column * 200, y: 20 + row * 80 });
    }
    const width = 20 + (Math.max(0, ...[...place.values()].map((p) => p.x)) + 140);
    const height = 20 + (Math.max(0, ...[...place.values()].map((p) => p.y)) + 40);
    graph.setAttribute("viewBox", `0 0 ${width} ${height}`);
    graph.setAttribute("width", width);
    graph.setAttribute("height", height);
    const defs = svg("defs", {});
    const marker = svg("marker", { id: "ivr-arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "8", markerHeight: "8", orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z" }));
    defs.append(marker);
    const nodes = [defs];
    for (const [from, to, label] of links) {
      const a = place.get(from);
      const b = place.get(to);
      if (!a || !b) continue;
      const x1 = a.x + 130, y1 = a.y + 20, x2 = b.x, y2 = b.y + 20;
      const path = from === to
        ? `M ${a.x + 100} ${a.y} C ${a.x + 100} ${a.y - 30}, ${a.x + 30} ${a.y - 30}, ${a.x + 30} ${a.y}`
        : `M ${x1} ${y1} C ${x1 + 30} ${y1}, ${x2 - 30} ${y2}, ${x2} ${y2}`;
      nodes.push(svg("path", { d: path, class: "ivr-edge", "marker-end": "url(#ivr-arrow)", "data-from": from, "data-to": to }));
      nodes.push(svg("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, class: "ivr-edge-label" }, label));
    }
    for (const block of scenario.blocks) {
      const p = place.get(block.name);
      const bad = errors.some((e) => e.block === block.name);
      const group = svg("g", { class: "ivr-node" + (bad ? " ivr-node-error" : ""), "data-block": block.name });
      group.append(svg("rect", { x: p.x, y: p.y, width: 130, height: 40, rx: 6 }));
      group.append(svg("text", { x: p.x + 65, y: p.y + 25, "text-anchor": "middle" }, block.name));
      group.addEventListener("click", () => {
        const target = blocksPane.querySelector(`[data-block="${CSS.escape(block.name)}"]`);
        if (target) target.scrollIntoView({ behavior: "smooth", block: "start" });
      });
      nodes.push(group);
    }
    graph.replaceChildren(...nodes);
  }

  // ---- toolbar ----

  const newBlock = document.getElementById("ivr-new-block");
  document.getElementById("ivr-add-block").addEventListener("click", () => {
    const name = newBlock.value.trim();
    if (!/^[a-z][a-z0-9_]{0,29}$/.test(name) || scenario.blocks.some((b) => b.name === name)) {
      status.textContent = T.block_exists;
      return;
    }
    scenario.blocks.push({ name, actions: [] });
    newBlock.value = "";
    status.textContent = "";
    render();
  });

  function csrfToken() {
    const input = document.querySelector("#ivr-editor input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  document.getElementById("ivr-save").addEventListener("click", async () => {
    status.textContent = T.saving;
    status.dataset.state = "saving";
    let answer;
    try {
      const response = await fetch(data.save_url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ scenario }),
        credentials: "same-origin",
      });
      answer = await response.json();
    } catch (error) {
      status.textContent = T.failed;
      status.dataset.state = "failed";
      return;
    }
    if (answer.ok) {
      errors = [];
      scenario = normalise(answer.scenario);
      status.textContent = answer.message;
      status.dataset.state = answer.live ? "live" : "not-live";
    } else {
      errors = answer.errors || [];
      status.textContent = T.not_saved;
      status.dataset.state = "invalid";
    }
    render();
  });

  const sounds = el("datalist", { id: "ivr-sounds" }, data.sounds.map(([value, label]) => el("option", { value, text: label })));
  root.append(sounds);
  render();
})();
