// Behaviour that templates would otherwise write inline (the Content-Security-Policy allows no inline script).

document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});

// A table wider than the screen scrolls inside its box: the box then takes the keyboard focus (arrow keys scroll
// it) and is named by its table's caption, as WCAG 2.1.1 asks of a scrollable region.
function scrollRegions() {
  document.querySelectorAll(".table-wrap, .scroll").forEach((box) => {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      const caption = box.querySelector("caption")?.textContent.trim();
      box.setAttribute("aria-label", caption ? `${caption} (scrolls sideways)` : "Table (scrolls sideways)");
    } else if (!scrolls && box.getAttribute("role") === "region" && box.tabIndex === 0) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  });
}
scrollRegions();
window.addEventListener("resize", scrollRegions);
document.body.addEventListener("htmx:afterSettle", scrollRegions);

// An error summary's link whose field is not on the page (a rule about several fields) is plain text instead.
document.querySelectorAll(".govuk-error-summary__list a[href^='#']").forEach((link) => {
  if (!document.getElementById(link.getAttribute("href").slice(1))) link.replaceWith(link.textContent);
});

// ---- The inbox: list beside the open conversation on wide screens, and keyboard shortcuts ----------------
// The list page remembers its filters and the order of its conversations; a conversation page shows that list
// in a pane beside it (wide screens) and moves to the next or previous one with j / k.

const WIDE = window.matchMedia("(min-width: 64em)");
const OFF_KEY = "civicloop.shortcuts.off";
const list = document.getElementById("inbox-list");
const split = document.querySelector("[data-inbox='conversation']");
const dialog = document.getElementById("shortcuts");

function rowLinks(root) {
  return [...root.querySelectorAll("tbody tr td a[href^='/inbox/']")].filter((a) => /^\/inbox\/\d+$/.test(a.getAttribute("href")));
}

function remember(root) {
  const ids = rowLinks(root).map((a) => a.getAttribute("href").split("/").pop());
  if (ids.length) sessionStorage.setItem("civicloop.inbox.ids", JSON.stringify(ids));
}

if (list) {
  sessionStorage.setItem("civicloop.inbox.query", window.location.search);
  remember(list);
  document.body.addEventListener("htmx:afterSwap", () => {
    const fresh = document.getElementById("inbox-list");
    if (fresh) {
      sessionStorage.setItem("civicloop.inbox.query", window.location.search);
      remember(fresh);
    }
  });
}

// The list's column is kept while the list loads (the conversation stays where it is); given up if it cannot load.
async function fetchList(pane) {
  split.classList.add("has-pane");
  pane.setAttribute("aria-busy", "true");
  try {
    const query = sessionStorage.getItem("civicloop.inbox.query") || "";
    const answer = await fetch(`/inbox${query}`, { headers: { "HX-Request": "true" }, credentials: "same-origin" });
    if (answer.ok) return await answer.text();
  } catch {
    // offline, or the server went away: the conversation keeps the whole width
  } finally {
    pane.removeAttribute("aria-busy");
  }
  split.classList.remove("has-pane");
  return null;
}

// The current row in the middle of the pane, by scrolling the pane alone: scrolling the window would move the
// conversation under the official's pointer.
function centreInPane(pane, row) {
  const offset = row.getBoundingClientRect().top - pane.getBoundingClientRect().top;
  pane.scrollTop += offset - (pane.clientHeight - row.offsetHeight) / 2;
}

async function loadPane() {
  const pane = document.getElementById("inbox-pane");
  if (!pane || !WIDE.matches || pane.dataset.loaded) return;
  pane.dataset.loaded = "1";
  const html = await fetchList(pane);
  if (html === null) return;
  pane.innerHTML = html;
  // The pane is a list to pick from, not a second live list: no periodic refresh, no second set of filters.
  pane.querySelectorAll("[hx-get], [hx-swap-oob]").forEach((node) => {
    node.removeAttribute("hx-get");
    node.removeAttribute("hx-trigger");
    if (node.hasAttribute("hx-swap-oob")) node.remove();
  });
  pane.querySelectorAll("[id]").forEach((node) => node.setAttribute("id", `pane-${node.id}`));
  const boxes = pane.querySelectorAll("input[type=checkbox]");
  boxes.forEach((box) => box.closest("td")?.remove());
  if (boxes.length) pane.querySelector("thead th")?.remove();
  const here = `/inbox/${split.dataset.conversation}`;
  for (const link of rowLinks(pane)) {
    if (link.getAttribute("href") === here) {
      const row = link.closest("tr");
      link.setAttribute("aria-current", "page");
      row.classList.add("is-current");
      centreInPane(pane, row);
    }
  }
  // j / k keep following the list as the official opened it (a conversation just closed leaves the fresh list).
}

if (split) {
  loadPane();
  WIDE.addEventListener("change", loadPane);
}

function typing(target) {
  if (!(target instanceof Element)) return false;
  // A control still focused inside a dialog just closed (Escape closes it at once; its "close" event, which gives the
  // focus back, comes a moment later): the next key is a shortcut, not typing.
  const box = target.closest("dialog");
  if (box && !box.open) return false;
  return Boolean(target.closest("input, textarea, select, [contenteditable], dialog[open]"));
}

function step(delta) {
  if (list) {
    const links = rowLinks(list);
    if (!links.length) return;
    const at = links.findIndex((a) => a === document.activeElement);
    const next = links[Math.min(links.length - 1, Math.max(0, at === -1 ? 0 : at + delta))];
    links.forEach((a) => a.closest("tr").classList.remove("is-selected"));
    next.closest("tr").classList.add("is-selected");
    next.focus();
    return;
  }
  if (split) {
    const ids = JSON.parse(sessionStorage.getItem("civicloop.inbox.ids") || "[]");
    const at = ids.indexOf(split.dataset.conversation);
    const target = ids[at + delta];
    if (at !== -1 && target) window.location.assign(`/inbox/${target}`);
  }
}

function press(selector) {
  const button = document.querySelector(selector);
  if (button && !button.disabled) button.click();
}

const ACTIONS = {
  j: () => step(1),
  k: () => step(-1),
  r: () => {
    const box = document.querySelector("#reply textarea");
    if (box) {
      box.scrollIntoView({ block: "center" });
      box.focus();
    }
  },
  a: () => press(".inbox-reading button[name='assignee_id'][value='me']"),
  c: () => press(".inbox-reading button[name='status'][value='closed']"),
  "/": () => document.querySelector(".inbox-filters input[name='q'], .inbox-filters input[type='search']")?.focus(),
  "?": () => openShortcuts(),
};

// Closing the help puts the focus back where it was. Without this, a key pressed just after Escape could reach
// the dialog's own checkbox (the dialog's first control, still focused until the browser moves the focus on)
// and be taken for typing.
let opener = null;
function openShortcuts() {
  opener = document.activeElement;
  dialog?.showModal();
}

if (dialog) {
  const off = document.getElementById("shortcuts-off");
  off.checked = localStorage.getItem(OFF_KEY) === "1";
  off.addEventListener("change", () => localStorage.setItem(OFF_KEY, off.checked ? "1" : "0"));
  document.querySelectorAll("[data-shortcuts-open]").forEach((b) => b.addEventListener("click", openShortcuts));
  dialog.addEventListener("close", () => {
    if (opener instanceof HTMLElement && opener !== document.body && opener.isConnected) opener.focus();
    else if (dialog.contains(document.activeElement)) document.activeElement.blur();
  });
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || typing(event.target)) return;
    if (localStorage.getItem(OFF_KEY) === "1" && event.key !== "?") return;
    const action = ACTIONS[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
}

// ---- GOV.UK Frontend's components (error summary focus, service navigation's menu on phones) -------------
// base.html names the vendored file, whose name carries its version, in <meta name="govuk-frontend">.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
const { initAll } = await import(document.querySelector('meta[name="govuk-frontend"]').content);
initAll();

// The inbox list refreshes itself every 20 s, except while the officer has rows ticked or is typing in the
// filters (a refresh would drop their work). Decided here, not in an hx-trigger filter: those need eval, which
// the Content-Security-Policy forbids.
document.addEventListener("htmx:confirm", (event) => {
  const list = event.target;
  if (!(list instanceof Element) || !list.hasAttribute("data-refresh-unless-busy")) {
    return;
  }
  const busy = list.querySelector("input:checked") || document.activeElement?.closest(".inbox-filters");
  if (busy) {
    event.preventDefault();
  }
});
