// Building elements without HTML strings: every text, a person's name included, becomes a text
// node, so data can never turn into markup.

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export const byId = (id) => document.getElementById(id);

const SHOWN_FOR_MS = 8000;
let fading = null;

/** A message in the status line (read out by screen readers); errors stay until the next one. */
export function say(message, kind = 'info') {
  const status = byId('status');
  status.textContent = message;
  status.dataset.kind = kind;
  clearTimeout(fading);
  if (kind !== 'error') fading = setTimeout(() => { status.textContent = ''; }, SHOWN_FOR_MS);
}
