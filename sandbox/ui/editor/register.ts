/**
 * Registers the Apache config language with Monaco. Tiny on purpose: the tokenizer and language
 * configuration are imported only when a model in this language is first created.
 */
import type * as Monaco from 'monaco-editor/editor';

export const APACHE_LANGUAGE_ID = 'apacheconf';

export function registerApacheLanguage(monaco: typeof Monaco): void {
  if (monaco.languages.getLanguages().some((language) => language.id === APACHE_LANGUAGE_ID)) return;
  monaco.languages.register({
    id: APACHE_LANGUAGE_ID,
    extensions: ['.conf', '.htaccess'],
    aliases: ['Apache config', 'apache', 'httpd'],
    filenames: ['httpd.conf', 'apache2.conf', '.htaccess'],
  });
  monaco.languages.onLanguage(APACHE_LANGUAGE_ID, () => {
    void import('./apache-grammar.ts').then((grammar) => {
      monaco.languages.setMonarchTokensProvider(APACHE_LANGUAGE_ID, grammar.apacheMonarch);
      monaco.languages.setLanguageConfiguration(APACHE_LANGUAGE_ID, grammar.apacheLanguageConfiguration);
    });
  });
}
