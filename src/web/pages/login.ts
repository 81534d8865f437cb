import { html } from '../html.js';
import { t, type Lang } from '../i18n.js';

export function loginMain(lang: Lang, csrf: string, next: string, error?: string) {
  return html`<div class="login">
    <h1>${t(lang, 'signIn')}</h1>
    ${error ? html`<div class="problem" role="alert" id="problem" tabindex="-1"><p>${error}</p></div>` : ''}
    <form method="post" action="/ui/login" class="panel">
      <input type="hidden" name="_csrf" value="${csrf}">
      <input type="hidden" name="next" value="${next}">
      <div class="field"><label for="token">${t(lang, 'token')}</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required spellcheck="false" aria-describedby="token-hint"${error ? html` aria-invalid="true"` : ''}>
        <span class="hint" id="token-hint">${t(lang, 'tokenHint')}</span></div>
      <button type="submit" class="primary">${t(lang, 'signIn')}</button>
    </form></div>`;
}
