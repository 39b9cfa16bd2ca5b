/**
 * Project guidelines are Markdown: `marked` turns them into HTML and DOMPurify keeps only a small set of
 * text elements, before the one `{@html}` of the app (GuidelinesPanel.svelte) inserts them.
 *
 * Guidelines are untrusted text, so: HTML written in the Markdown is shown as text (never as markup),
 * links only go to http(s) and mailto addresses and open in a new tab without an opener or referrer, and
 * no image, style, form, frame or script survives (the CSP would block the rest anyway).
 */
import DOMPurify from "dompurify";
import { Marked } from "marked";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

const markdown = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    // raw HTML in the Markdown (a block or an inline tag) is shown literally
    html({ text }) {
      return escapeHtml(text);
    },
    // images are not shown: their alternative text stands in for them
    image({ text }) {
      return escapeHtml(text);
    },
  },
});

const ALLOWED_TAGS = [
  "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p",
  "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
];

const purifier = DOMPurify(window);
purifier.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

/** Sanitised HTML of a Markdown text. */
export function guidelinesHtml(source: string): string {
  const html = markdown.parse(source, { async: false });
  return purifier.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ["href", "title", "align", "start"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
    ALLOW_DATA_ATTR: false,
  });
}
