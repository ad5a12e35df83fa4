// The console's page shell: headers (a strict Content-Security-Policy: no script at all, the
// one stylesheet from this origin, forms posting only here, never framed), the navigation and
// the signed-in operator with the sign-out form.

import { html, raw } from './html.js';

/**
 * No script may run: every chart is SVG drawn on the server. Styles only from the stylesheet
 * (no inline `style`), images only this origin's or inline SVG data, frames only this origin's
 * (the template previews), and nobody may frame the console (its forms act).
 */
export const CONSOLE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** The pages in the navigation, in order. */
export const NAV = [
  { key: 'overview', label: 'Overview' },
  { key: 'shoppers', label: 'Shoppers' },
  { key: 'playbook', label: 'Playbook' },
  { key: 'messages', label: 'Messages' },
  { key: 'health', label: 'Health' },
];

/** A wide table on a narrow screen scrolls in its own region, which the keyboard can reach. */
export const scroller = (label, content) => html`<div class="scroll" role="region" tabindex="0" aria-label="${label}">${content}</div>`;

export function page({ base, title, current = null, session = null, body }) {
  const nav = session
    ? html`<nav aria-label="Console"><ul>${NAV.map((n) => html`<li><a href="${base}/${n.key}"${n.key === current ? raw(' aria-current="page"') : ''}>${n.label}</a></li>`)}</ul></nav>
<span class="who">${session.name} (${session.role})</span>
<form method="post" action="${base}/sign-out"><input type="hidden" name="csrf" value="${session.csrf}"><button type="submit">Sign out</button></form>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title} · Rekindle console</title>
<link rel="stylesheet" href="${base}/style.css">
</head><body><a class="skip" href="#main">Skip to content</a>
<header><span class="brand">Rekindle</span>${nav}</header>
<main id="main" tabindex="-1"><h1>${title}</h1>${body}</main></body></html>`.toString();
}
