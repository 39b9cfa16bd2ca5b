/** Names of verdicts and annotation origins in the UI language. */
import { t } from "../i18n/index.svelte";

export function verdictName(verdict: string | null): string {
  switch (verdict) {
    case "accepted":
      return t("review.verdict.accepted");
    case "rejected":
      return t("review.verdict.rejected");
    case "fixed":
      return t("review.verdict.fixed");
    case null:
      return t("review.verdict.none");
    default:
      return verdict;
  }
}

/** What the annotator did with the task's model pre-label (AnnotationCreate.origin). */
export function originName(origin: string): string {
  switch (origin) {
    case "human":
      return t("review.origin.human");
    case "prediction_accepted":
      return t("review.origin.prediction_accepted");
    case "prediction_edited":
      return t("review.origin.prediction_edited");
    case "prediction_rejected":
      return t("review.origin.prediction_rejected");
    default:
      return origin;
  }
}
