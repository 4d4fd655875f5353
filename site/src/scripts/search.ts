/**
 * Header search over the Pagefind index. Pagefind (its script, WASM and index) is fetched only when
 * the reader first focuses the search box, so pages that are never searched load none of it.
 * Pagefind picks the index matching <html lang>, which keeps results in the page's language.
 */
import { fillTemplate } from '../i18n/template.ts';

interface PagefindResultData {
  url: string;
  excerpt: string;
  meta: { title?: string };
}
interface PagefindSearch {
  results: { data: () => Promise<PagefindResultData> }[];
}
interface Pagefind {
  options: (options: { baseUrl?: string; excerptLength?: number }) => Promise<void>;
  init: () => Promise<void>;
  debouncedSearch: (query: string, options?: object, debounceMs?: number) => Promise<PagefindSearch | null>;
}

interface SearchStrings {
  loading: string;
  noResults: string;
  resultOne: string;
  resultOther: string;
  unavailable: string;
}

const MAX_RESULTS = 8;

export function setUpSearch(container: HTMLElement): void {
  const input = container.querySelector<HTMLInputElement>('input[type="search"]');
  const panel = container.querySelector<HTMLElement>('[data-search-results]');
  const status = container.querySelector<HTMLElement>('[data-search-status]');
  const list = container.querySelector<HTMLOListElement>('[data-search-list]');
  if (!input || !panel || !status || !list) return;
  const strings = JSON.parse(container.dataset.strings ?? '{}') as SearchStrings;
  const baseUrl = container.dataset.base ?? '/';

  let pagefind: Promise<Pagefind | null> | undefined;
  const loadPagefind = () => {
    pagefind ??= (async () => {
      try {
        const module = (await import(/* @vite-ignore */ `${baseUrl}pagefind/pagefind.js`)) as Pagefind;
        await module.options({ baseUrl, excerptLength: 24 });
        await module.init();
        return module;
      } catch {
        // No index (e.g. `astro dev`, which does not run Pagefind) or the fetch failed.
        return null;
      }
    })();
    return pagefind;
  };

  const show = (visible: boolean) => {
    panel.hidden = !visible;
    input.setAttribute('aria-expanded', String(visible));
  };

  const renderResults = (query: string, results: PagefindResultData[], total: number) => {
    list.replaceChildren(
      ...results.map((result) => {
        const item = document.createElement('li');
        const link = document.createElement('a');
        link.href = result.url;
        link.textContent = result.meta.title ?? result.url;
        const excerpt = document.createElement('p');
        // Pagefind escapes page text and wraps matches in <mark>; the excerpt is safe HTML.
        excerpt.innerHTML = result.excerpt;
        item.append(link, excerpt);
        return item;
      }),
    );
    status.textContent =
      total === 0
        ? fillTemplate(strings.noResults, { query })
        : fillTemplate(total === 1 ? strings.resultOne : strings.resultOther, { count: total });
  };

  const search = async () => {
    const query = input.value.trim();
    if (query === '') {
      list.replaceChildren();
      status.textContent = '';
      show(false);
      return;
    }
    show(true);
    const engine = await loadPagefind();
    if (!engine) {
      status.textContent = strings.unavailable;
      return;
    }
    if (list.childElementCount === 0) status.textContent = strings.loading;
    const found = await engine.debouncedSearch(query, {}, 200);
    if (found === null) return; // A newer keystroke superseded this search.
    const data = await Promise.all(found.results.slice(0, MAX_RESULTS).map((result) => result.data()));
    renderResults(query, data, found.results.length);
  };

  input.addEventListener('focus', () => void loadPagefind(), { once: true });
  input.addEventListener('input', () => void search());
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      input.value = '';
      void search();
    } else if (event.key === 'ArrowDown' && !panel.hidden) {
      event.preventDefault();
      list.querySelector('a')?.focus();
    }
  });
  list.addEventListener('keydown', (event) => {
    const links = [...list.querySelectorAll('a')];
    const index = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (event.key === 'ArrowDown' && index < links.length - 1) {
      event.preventDefault();
      links[index + 1].focus();
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      (index > 0 ? links[index - 1] : input).focus();
    } else if (event.key === 'Escape') {
      show(false);
      input.focus();
    }
  });
  document.addEventListener('click', (event) => {
    if (!container.contains(event.target as Node)) show(false);
  });
  container.addEventListener('focusin', () => {
    if (input.value.trim() !== '') show(true);
  });
}
