// A small preference widget: the shopper's own switches for checkout analytics, cart
// reminders by email and by text. It shows what the engine says is allowed once it knows.

const ROWS = [
  ['analytics', 'Measure my checkout to improve it'],
  ['email', 'Email me a reminder about my cart'],
  ['sms', 'Text me a reminder about my cart'],
];

/**
 * @param {Element} container
 * @param {(name: 'analytics' | 'email' | 'sms', granted: boolean, label: string) => void} choose
 * @returns {(allowed: { analytics: boolean }) => void} shows the engine's view of consent
 */
export function renderWidget(container, choose) {
  const box = document.createElement('fieldset');
  box.className = 'rekindle-consent';
  box.style.cssText = 'font:14px system-ui,sans-serif;border:1px solid #ccc;border-radius:8px;padding:8px 12px;max-width:22rem';
  const legend = document.createElement('legend');
  legend.textContent = 'Your choices';
  box.append(legend);
  for (const [name, text] of ROWS) {
    const label = document.createElement('label');
    label.style.display = 'block';
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.name = name;
    label.append(input, ` ${text}`);
    box.append(label);
  }
  box.addEventListener('change', ({ target }) => choose(target.name, target.checked, target.parentNode.textContent.trim()));
  container.append(box);
  return ({ analytics }) => {
    box.elements.analytics.checked = analytics;
  };
}
