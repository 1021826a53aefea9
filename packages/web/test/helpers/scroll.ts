/** Where things are in the open conversation's scrolling message list (`ol.messages`), as a reader sees it. */
import type { Page } from 'playwright-core';

/** The list's scroll position and how many bubbles it holds. */
export interface ListState {
  readonly scrollTop: number;
  /** Distance from the bottom (0 when scrolled all the way down). */
  readonly fromBottom: number;
  readonly bubbles: number;
}

/** The list's state now. */
export function listState(page: Page): Promise<ListState> {
  return page.evaluate(() => {
    const list = document.querySelector('ol.messages');
    if (list === null) throw new Error('no message list');
    return {
      scrollTop: list.scrollTop,
      fromBottom: list.scrollHeight - list.scrollTop - list.clientHeight,
      bubbles: list.querySelectorAll('li.bubble').length,
    };
  });
}

/**
 * Where the bubble holding exactly `text` is, relative to the top of the list's visible area (px), and
 * whether it is fully visible there; undefined when it is not in the page at all.
 */
export function bubbleAt(page: Page, text: string): Promise<{ top: number; visible: boolean } | undefined> {
  return page.evaluate((t) => {
    const list = document.querySelector('ol.messages');
    if (list === null) throw new Error('no message list');
    const box = list.getBoundingClientRect();
    for (const li of Array.from(list.querySelectorAll('li.bubble'))) {
      if (li.querySelector('.text')?.textContent !== t) continue;
      const r = li.getBoundingClientRect();
      return { top: r.top - box.top, visible: r.top >= box.top - 1 && r.bottom <= box.bottom + 1 };
    }
    return undefined;
  }, text);
}

/** Scrolls the list to `top` px (as a reader dragging the scrollbar would). */
export async function scrollListTo(page: Page, top: number): Promise<void> {
  await page.evaluate((y) => {
    const list = document.querySelector('ol.messages');
    if (list === null) throw new Error('no message list');
    list.scrollTop = y;
  }, top);
}

/**
 * Scrolls the list to the very top and returns the first bubble's text and its offset from the top of
 * the visible area, read in the same task (before the app can react to the scroll).
 */
export function scrollToTop(page: Page): Promise<{ text: string; top: number }> {
  return page.evaluate(() => {
    const list = document.querySelector('ol.messages');
    if (list === null) throw new Error('no message list');
    list.scrollTop = 0;
    const first = list.querySelector('li.bubble');
    if (first === null) throw new Error('no bubble');
    return {
      text: first.querySelector('.text')?.textContent ?? '',
      top: first.getBoundingClientRect().top - list.getBoundingClientRect().top,
    };
  });
}
