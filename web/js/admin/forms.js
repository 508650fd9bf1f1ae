// The forms panel: the list (GET /dashboard/forms), the editor
// (js/admin/form-editor.js), deleting a form (never the built-in contact
// form), and each form's copy-paste HTML snippet: a plain <form> that posts
// to POST /forms/{id} with JavaScript off (js/form-markup.js draws it), beside
// the form's two pages: form.html?form=<id> and the API's GET /forms/{id}.

import {$, el, formatDate, replace} from '../dom.js';
import {captchaOf} from '../captcha.js';
import {formTree, toHtml} from '../form-markup.js';
import {FormEditor} from './form-editor.js';

const COPIED_MESSAGE = 'Copied to the clipboard.';

export class FormsPanel {
  /**
   * @param {ReturnType<import('../api.js').createApi>} api
   * @param {{apiUrl: string, captcha: any}} config
   * @param {{onChanged: () => void, onError: Function, onFormsChanged?: () => void}} hooks
   */
  constructor(api, config, hooks) {
    this.api = api;
    this.config = config;
    this.hooks = hooks;
    this.rows = $('#forms-rows');
    this.errorBox = $('#forms-error');
    this.snippet = $('#form-snippet');
    this.editor = new FormEditor(api, {
      onError: hooks.onError,
      onSaved: (form) => {
        this.load();
        this.showSnippet(form);
        hooks.onFormsChanged?.();
      },
    });
    $('#form-new').addEventListener('click', () => {
      this.closeSnippet();
      this.editor.create();
    });
    $('#forms-reload').addEventListener('click', () => this.load());
    $('#form-snippet-copy').addEventListener('click', () => this.copySnippet());
    $('#form-snippet-close').addEventListener('click', () => this.closeSnippet());
  }

  showError(message) {
    this.errorBox.textContent = message;
    this.errorBox.hidden = !message;
  }

  async load() {
    this.showError('');
    try {
      // The messages each form has, from the stats; the list shows without them if they fail.
      const counts = this.api.get('/dashboard/stats').then(({data}) => data?.forms ?? {}, () => ({}));
      const {data} = await this.api.get('/dashboard/forms');
      const forms = data?.forms ?? [];
      const perForm = await counts;
      replace(this.rows, ...forms.map((form) => this.row(form, perForm[form.formId])));
      $('#forms-empty').hidden = forms.length > 0;
    } catch (error) {
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }

  row(form, messages) {
    const actions = el('div', {className: 'row-actions'});
    const button = (label, handler, kind = 'link') => el('button', {
      className: kind, text: label, attrs: {type: 'button', 'aria-label': `${label} ${form.formId}`},
      on: {click: handler}});
    const showDefault = () => replace(actions,
      button('Edit', () => this.edit(form.formId)),
      button('HTML snippet', () => this.showSnippet(form)),
      // The contact form always exists: the API refuses to delete it (409).
      form.builtIn ? null : button('Delete', () => replace(actions,
        el('span', {className: 'confirm', text: 'Delete?'}),
        button('Yes, delete', () => this.remove(form.formId), 'danger small'),
        button('Keep', showDefault, 'secondary small'))));
    showDefault();
    return el('tr', {dataset: {id: form.formId}},
      el('td', {className: 'form-name', text: form.name}),
      el('td', {}, el('code', {className: 'form-id', text: form.formId}),
        form.builtIn ? el('span', {className: 'badge', text: 'built in'}) : null),
      el('td', {className: 'form-fields', text: (form.fields ?? []).map((f) => f.label).join(', ')}),
      el('td', {className: 'form-messages', text: typeof messages === 'number' ? messages : '–'}),
      el('td', {attrs: {title: form.updatedAt ?? ''}, text: form.updatedAt ? formatDate(form.updatedAt) : '–'}),
      el('td', {}, actions));
  }

  async edit(id) {
    this.showError('');
    this.closeSnippet();
    try {
      await this.editor.edit(id);
    } catch (error) {
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }

  async remove(id) {
    this.showError('');
    try {
      await this.api.delete(`/dashboard/forms/${encodeURIComponent(id)}`);
      if (this.editor.editing?.id === id) this.editor.close();
      if (this.snippet.dataset.id === id) this.closeSnippet();
      await this.load();
      this.hooks.onFormsChanged?.();
    } catch (error) {
      this.hooks.onError(error, (message) => this.showError(message));
    }
  }

  /** The form as a plain HTML form, for pasting into any page of the site. */
  snippetOf(form) {
    return toHtml(formTree(form, {
      action: `${this.config.apiUrl}/forms/${encodeURIComponent(form.formId)}`,
      next: new URL('thanks.html', document.baseURI).href,
      captcha: captchaOf(this.config),
    }));
  }

  showSnippet(form) {
    $('#form-snippet-title').textContent = `HTML snippet: ${form.name}`;
    $('#form-snippet-code').value = this.snippetOf(form);
    $('#form-snippet-status').textContent = '';
    const page = new URL('form.html', document.baseURI);
    page.searchParams.set('form', form.formId);
    $('#form-snippet-page').href = page.href;
    const plain = $('#form-snippet-plain');
    plain.href = `${this.config.apiUrl}/forms/${encodeURIComponent(form.formId)}`;
    plain.textContent = plain.href;
    this.snippet.dataset.id = form.formId;
    this.snippet.hidden = false;
    this.snippet.focus();
  }

  closeSnippet() {
    this.snippet.hidden = true;
    delete this.snippet.dataset.id;
  }

  async copySnippet() {
    const code = $('#form-snippet-code');
    const status = $('#form-snippet-status');
    try {
      await navigator.clipboard.writeText(code.value);
      status.textContent = COPIED_MESSAGE;
    } catch {
      // No clipboard access (an older browser, or permission refused): select
      // the text so that Ctrl+C or the menu copies it.
      code.focus();
      code.select();
      status.textContent = 'Selected: press Ctrl+C (⌘C on a Mac) to copy.';
    }
  }
}
