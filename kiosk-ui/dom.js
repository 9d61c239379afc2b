/*
 * A tiny element builder.  The screens build their DOM with it instead of
 * innerHTML, so text from the API is always text (never markup), and no
 * inline style or handler attribute can appear (the page's CSP forbids
 * them anyway).
 *
 *   h('button', { class: 'big', 'aria-pressed': false, onclick: go }, 'Start')
 *
 * Props: "class", "text", "on<event>" (a listener), "aria-*" (always
 * written, so aria-pressed=false stays "false"), booleans (true writes an
 * empty attribute, false/null/undefined writes nothing), anything else as
 * an attribute.
 */

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key.startsWith('aria-') && value !== null && value !== undefined) {
      el.setAttribute(key, String(value));
    } else if (value === null || value === undefined || value === false) {
      continue;
    } else if (key === 'class') {
      el.className = value;
    } else if (key === 'text') {
      el.textContent = value;
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/* A short pause, for the brief "you picked this" confirmation. */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
