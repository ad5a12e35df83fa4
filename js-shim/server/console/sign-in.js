// The sign-in page: a plain form (no script), with a CSRF token bound to a short-lived
// cookie, so another site cannot sign a browser in under an account of its choosing.

import { html } from './html.js';

export function signInBody({ base, csrf, problem, name = '' }) {
  return html`<div class="signin">
${problem ? html`<p class="error" role="alert" data-problem>${problem}</p>` : ''}
<form method="post" action="${base}/sign-in">
<input type="hidden" name="csrf" value="${csrf}">
<label>Name <input name="name" autocomplete="username" required value="${name}"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button class="primary" type="submit">Sign in</button>
</form></div>`;
}
