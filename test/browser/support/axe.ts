import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);

/** axe-core's browser build (a devDependency), injected into the page under test. */
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What the page is checked against: contrast (WCAG AA 1.4.3) and a few cheap rules that catch
 * a control without a name, a broken ARIA attribute or a target under 24 px (WCAG 2.2 AA).
 */
export const AXE_RULES = [
  'color-contrast',
  'button-name',
  'label',
  'aria-allowed-attr',
  'aria-valid-attr-value',
  'duplicate-id-aria',
  'list',
  'listitem',
  'target-size',
];

export type ColorScheme = 'light' | 'dark';

interface AxeNode {
  html: string;
  target: unknown[];
  failureSummary?: string;
  any: { data?: { messageKey?: string } | null }[];
}

type AxeRuleResults = { id: string; nodes: AxeNode[] }[];

interface AxeResults {
  violations: AxeRuleResults;
  incomplete: AxeRuleResults;
  passes: AxeRuleResults;
}

/** What axe found in one scheme. */
export interface AxeFindings {
  /** Every violation of {@link AXE_RULES}, as `scheme: rule: selector: why`. */
  violations: string[];
  /** Contrasts axe could not decide (it needs review): none is expected either. */
  undecided: string[];
  /** The HTML of every element whose contrast axe checked, to show what was covered. */
  contrastChecked: string[];
}

function lines(scheme: ColorScheme, results: AxeResults['violations']): string[] {
  return results.flatMap(({ id, nodes }) =>
    nodes.map((node) => {
      const why = node.failureSummary?.replace(/\s+/g, ' ') ?? '';
      return `${scheme}: ${id}: ${node.target.join(' ')}: ${why}`;
    }),
  );
}

/**
 * Runs axe on `selector` (the whole page by default) in `colorScheme`, after scrolling it into
 * view. The page's Content-Security-Policy forbids inline scripts, so axe goes in through
 * `page.evaluate` (the DevTools protocol) rather than an injected `<script>`.
 */
export async function axeCheck(
  page: Page,
  colorScheme: ColorScheme,
  selector = 'body',
): Promise<AxeFindings> {
  await page.emulateMedia({ colorScheme });
  await page.locator(selector).scrollIntoViewIfNeeded();
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(
    ([context, rules]) => {
      const { axe } = window as unknown as {
        axe: { run(context: string, options: object): Promise<AxeResults> };
      };
      return axe.run(context, { runOnly: { type: 'rule', values: rules } });
    },
    [selector, AXE_RULES] as const,
  );
  const contrast = (list: AxeRuleResults) => list.filter(({ id }) => id === 'color-contrast');
  const checked = [...results.passes, ...results.violations, ...results.incomplete];
  // A glyph alone (the ticker's ▲ and ▼) is a graphic, not text: axe leaves it
  // undecided. It has the colour of the text next to it, whose contrast is checked.
  const undecided = contrast(results.incomplete).map(({ id, nodes }) => ({
    id,
    nodes: nodes.filter((node) => !node.any.some((check) => check.data?.messageKey === 'nonBmp')),
  }));
  return {
    violations: lines(colorScheme, results.violations),
    undecided: lines(colorScheme, undecided),
    contrastChecked: contrast(checked).flatMap(({ nodes }) => nodes.map((node) => node.html)),
  };
}
