// The result of a poll as bars (counts and percentages), the outcome, the base and the
// rule; the named list for named polls. Used large on the projector, smaller on the chair
// console and the tablets: sizes come from CSS (.pr-* classes, scaled by the container).

import { h } from "../dom.js";
import { t } from "../i18n.js";
import { formatNumber, formatPercent, optionLabel, outcomeTone, YES_NO_CODES } from "./model.js";

/** Tone of an option: yes/no/abstain have their colours, choices share one. */
export function optionTone(option) {
  return option && YES_NO_CODES.includes(option.code) ? option.code : "choice";
}

function outcomeText(poll, result) {
  const outcome = result.outcome || {};
  const winners = (outcome.winners || [])
    .map((id) => result.options.find((o) => o.id === id))
    .filter(Boolean)
    .map(optionLabel);
  return { status: outcome.status || "none", winners };
}

/** The outcome banner: "THÔNG QUA" / "KHÔNG THÔNG QUA" / elected names… */
export function outcomeBanner(poll, result) {
  const { status, winners } = outcomeText(poll, result);
  const tone = outcomeTone(status);
  return h(
    "div",
    { class: ["pr-outcome", `is-${tone}`], dataset: { outcome: status }, role: "status" },
    h("span", { class: "pr-outcome-mark", "aria-hidden": "true", text: tone === "ok" ? "✔" : tone === "no" ? "✘" : "•" }),
    h(
      "span",
      { class: "pr-outcome-text" },
      h("span", { class: "pr-outcome-label", i18n: `poll.outcome.${status}` }),
      winners.length && poll.kind !== "yes_no"
        ? h("span", { class: "pr-outcome-winners", text: winners.join(" · ") })
        : null,
    ),
  );
}

/** One line: base and rule, e.g. "Tỉ lệ trên tổng số đại biểu (10) · Quá nửa tổng số đại biểu: cần 6". */
export function ruleLine(poll, result) {
  const outcome = result.outcome || {};
  const parts = [
    t("poll.base_line", { base: t(`poll.base.${result.percent_base}`), n: formatNumber(result.base_count) }),
    t(`poll.rule.${poll.rule}`),
  ];
  if (outcome.required != null) parts.push(t("poll.required", { n: formatNumber(outcome.required) }));
  // A tie matters where the rule compares for and against; quorum where the rule needs it.
  if (outcome.tie && poll.kind === "yes_no" && poll.rule === "simple") parts.push(t("poll.tie_note"));
  if (outcome.quorum_reached === false && outcome.status !== "no_quorum" && ["cast", "simple"].includes(poll.rule)) {
    parts.push(t("poll.no_quorum_note"));
  }
  return h("p", { class: "pr-rule", text: parts.join(" · ") });
}

/** Participation: entitled, present, voted, not voted. */
export function turnoutLine(result) {
  return h(
    "p",
    { class: "pr-turnout" },
    h("span", { text: t("poll.turnout.entitled", { n: formatNumber(result.entitled) }) }),
    h("span", { text: t("poll.turnout.present", { n: formatNumber(result.present) }) }),
    h("span", { text: t("poll.turnout.cast", { n: formatNumber(result.cast), m: formatNumber(result.eligible) }) }),
    result.not_voted ? h("span", { text: t("poll.turnout.not_voted", { n: formatNumber(result.not_voted) }) }) : null,
    result.blank ? h("span", { text: t("poll.turnout.blank", { n: formatNumber(result.blank) }) }) : null,
  );
}

/**
 * Bars: one row per option. Widths are the percentage of the base (so 100% is the whole
 * base, and the rule's threshold can be drawn as a line); winners are marked.
 */
export function resultBars(poll, rows, { base = null, required = null, winners = [] } = {}) {
  const list = h("ol", { class: ["pr-bars", rows.length > 6 ? "is-many" : ""], dataset: { kind: poll.kind } });
  const threshold = base && required != null ? Math.min(100, (required / base) * 100) : null;
  for (const row of rows) {
    const tone = optionTone(row);
    const width = Math.max(0, Math.min(100, Number(row.percent) || 0));
    const won = winners.includes(row.id);
    list.append(
      h(
        "li",
        { class: ["pr-row", `tone-${tone}`, won ? "is-winner" : ""], dataset: { optionId: row.id, code: row.code || "" } },
        h("span", { class: "pr-label" }, won ? h("span", { class: "pr-star", "aria-hidden": "true", text: "★ " }) : null, optionLabel(row)),
        h(
          "span",
          { class: "pr-track", "aria-hidden": "true" },
          h("span", { class: "pr-fill", style: `width: ${width}%` }),
          threshold != null ? h("span", { class: "pr-threshold", style: `left: ${threshold}%` }) : null,
        ),
        h(
          "span",
          { class: "pr-value" },
          h("span", { class: "pr-count", text: formatNumber(row.votes) }),
          h("span", { class: "pr-percent", text: formatPercent(row.percent) }),
        ),
      ),
    );
  }
  return list;
}

/** The whole result block: outcome, bars, base/rule, turnout. */
export function resultBlock(poll, result) {
  const outcome = result.outcome || {};
  return h(
    "div",
    { class: "pr-result", dataset: { pollId: poll.id } },
    outcomeBanner(poll, result),
    resultBars(poll, result.options, {
      base: result.base_count,
      required: poll.kind === "yes_no" ? outcome.required : null,
      winners: poll.kind === "yes_no" ? [] : outcome.winners || [],
    }),
    ruleLine(poll, result),
    turnoutLine(result),
  );
}

/** Named polls: who chose what (and who did not vote). */
export function namedList(poll, rows) {
  const byLabel = new Map(poll.options.map((o) => [o.label, o]));
  return h(
    "ul",
    { class: "pr-named" },
    rows.map((row) => {
      const chosen = row.choices.map((label) => byLabel.get(label) || { label });
      const tone = !row.voted ? "none" : chosen.length === 1 ? optionTone(chosen[0]) : "choice";
      return h(
        "li",
        { class: ["pr-named-row", `tone-${tone}`], dataset: { userId: row.user_id } },
        h("span", { class: "pr-named-name", text: row.full_name }),
        h(
          "span",
          { class: "pr-named-choice" },
          row.voted
            ? chosen.length
              ? chosen.map(optionLabel).join(", ")
              : t("poll.blank_ballot")
            : t("poll.did_not_vote"),
        ),
      );
    }),
  );
}
