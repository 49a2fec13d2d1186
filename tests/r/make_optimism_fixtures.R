# Reference results from pROC for il6hcc/optimism.py, on given bootstrap index sets.
#
# Run from the repository root, after python3 tests/r/make_optimism_inputs.py:
#   Rscript tests/r/make_optimism_fixtures.R
# Reads tests/fixtures/optimism/patients.tsv and index_sets.tsv.gz (one row per subgroup and
# resample: each evaluable patient's multiplicity as one base-36 digit, patients in byte order
# of patient_id). Writes tests/fixtures/optimism/resamples.tsv (per resample), optimism.tsv
# (per subgroup and marker) and README.md (R and pROC versions).
#
# Every curve is roc(is_case, score, levels = c(FALSE, TRUE), direction = "<") on the oriented
# change (post - pre; negated for the falling marker b). The Youden cut-off is
# coords(roc, "best", best.method = "youden"), the lowest threshold when several tie; none when
# the best Youden index is <= 0. A patient is positive when its score is >= the cut-off.

suppressPackageStartupMessages(library(pROC))

dir <- file.path("tests", "fixtures", "optimism")
fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))
mean_or_na <- function(x) if (length(x)) mean(x) else NA_real_

patients <- read.delim(file.path(dir, "patients.tsv"), na.strings = "NA",
                       colClasses = c(subgroup = "character", patient_id = "character"))
sets <- read.delim(gzfile(file.path(dir, "index_sets.tsv.gz")), colClasses = "character")
markers <- list(a = "rise", b = "fall")
conf_level <- 0.95

# Youden cut-off of a curve, with its sensitivity and specificity (NA when J <= 0).
youden <- function(r) {
  best <- coords(r, "best", best.method = "youden", transpose = FALSE)
  best <- best[which.min(best$threshold), ]
  j <- best$sensitivity + best$specificity - 1
  if (j <= 0) return(c(cutoff = NA, j = j, se = NA, sp = NA))
  c(cutoff = best$threshold, j = j, se = best$sensitivity, sp = best$specificity)
}

build <- function(is_case, score) {
  roc(is_case, score, levels = c(FALSE, TRUE), direction = "<", quiet = TRUE)
}

resample_rows <- list()
summary_rows <- list()
for (subgroup in unique(patients$subgroup)) {
  pts <- patients[patients$subgroup == subgroup & !is.na(patients$responder), ]
  pts <- pts[order(pts$patient_id, method = "radix"), ]
  own <- sets[sets$subgroup == subgroup, ]
  own <- own[order(as.integer(own$resample)), ]
  counts <- t(sapply(own$counts, function(x) strtoi(strsplit(x, "")[[1]], 36L),
                     USE.NAMES = FALSE))
  is_case <- pts$responder == 1
  for (marker in names(markers)) {
    change <- pts[[paste0(marker, "_post")]] - pts[[paste0(marker, "_pre")]]
    score <- if (markers[[marker]] == "rise") change else -change
    has <- !is.na(score)
    apparent_roc <- build(is_case[has], score[has])
    apparent <- youden(apparent_roc)
    per <- t(sapply(seq_len(nrow(counts)), function(b) {
      n <- counts[b, ]
      drawn <- rep(which(has), n[has])
      r <- tryCatch(build(is_case[drawn], score[drawn]), error = function(e) NULL)
      auc_b <- if (is.null(r)) NA else as.numeric(auc(r))
      y <- if (is.null(r)) c(cutoff = NA, j = NA, se = NA, sp = NA) else youden(r)
      t <- y[["cutoff"]]
      oob_case <- has & n == 0 & is_case
      oob_control <- has & n == 0 & !is_case
      c(resample = b - 1, auc = auc_b, cutoff = t, youden_j = if (is.na(t)) NA else y[["j"]],
        sensitivity = y[["se"]], specificity = y[["sp"]],
        original_sensitivity = if (is.na(t)) NA else mean(score[has & is_case] >= t),
        original_specificity = if (is.na(t)) NA else mean(score[has & !is_case] < t),
        oob_sensitivity = if (is.na(t) || !any(oob_case)) NA else mean(score[oob_case] >= t),
        oob_specificity = if (is.na(t) || !any(oob_control)) NA else
          mean(score[oob_control] < t))
    }))
    per <- as.data.frame(per)
    resample_rows[[length(resample_rows) + 1]] <- data.frame(
      subgroup = subgroup, marker = marker, lapply(per, fmt))
    sign <- if (markers[[marker]] == "rise") 1 else -1
    alpha <- 1 - conf_level
    probs <- c(alpha / 2, 1 - alpha / 2)
    auc_apparent <- as.numeric(auc(apparent_roc))
    auc_values <- per$auc[!is.na(per$auc)]
    auc_optimism <- mean(auc_values - auc_apparent)
    cut <- per[!is.na(per$cutoff), ]
    cutoff_q <- sign * quantile(cut$cutoff, probs, type = 7, names = FALSE)
    apparent_ok <- !is.na(apparent[["cutoff"]])
    opt <- function(in_resample, original) mean(in_resample - original)
    j_optimism <- opt(cut$youden_j, cut$original_sensitivity + cut$original_specificity - 1)
    se_optimism <- opt(cut$sensitivity, cut$original_sensitivity)
    sp_optimism <- opt(cut$specificity, cut$original_specificity)
    oob_se <- cut$oob_sensitivity[!is.na(cut$oob_sensitivity)]
    oob_sp <- cut$oob_specificity[!is.na(cut$oob_specificity)]
    keep_if <- function(x) if (apparent_ok) x else NA
    summary_rows[[length(summary_rows) + 1]] <- data.frame(
      subgroup = subgroup, marker = marker,
      n_cases = sum(has & is_case), n_controls = sum(has & !is_case),
      auc_apparent = fmt(auc_apparent), auc_optimism = fmt(auc_optimism),
      auc_corrected = fmt(auc_apparent - auc_optimism),
      auc_ci_low = fmt(quantile(auc_values, probs[1], type = 7, names = FALSE)),
      auc_ci_high = fmt(quantile(auc_values, probs[2], type = 7, names = FALSE)),
      n_resamples_auc = length(auc_values),
      cutoff_apparent = fmt(keep_if(sign * apparent[["cutoff"]])),
      cutoff_median = fmt(sign * median(cut$cutoff)),
      cutoff_ci_low = fmt(min(cutoff_q)), cutoff_ci_high = fmt(max(cutoff_q)),
      n_resamples_cutoff = nrow(cut),
      youden_j_apparent = fmt(keep_if(apparent[["j"]])), youden_j_optimism = fmt(j_optimism),
      youden_j_corrected = fmt(keep_if(apparent[["j"]] - j_optimism)),
      sensitivity_apparent = fmt(keep_if(apparent[["se"]])),
      sensitivity_optimism = fmt(se_optimism),
      sensitivity_corrected = fmt(keep_if(apparent[["se"]] - se_optimism)),
      specificity_apparent = fmt(keep_if(apparent[["sp"]])),
      specificity_optimism = fmt(sp_optimism),
      specificity_corrected = fmt(keep_if(apparent[["sp"]] - sp_optimism)),
      oob_sensitivity = fmt(mean_or_na(oob_se)), n_resamples_oob_sensitivity = length(oob_se),
      oob_specificity = fmt(mean_or_na(oob_sp)), n_resamples_oob_specificity = length(oob_sp))
  }
}

write_tsv <- function(df, file) {
  write.table(df, file.path(dir, file), sep = "\t", quote = FALSE, row.names = FALSE, na = "NA")
}
write_tsv(do.call(rbind, resample_rows), "resamples.tsv")
write_tsv(do.call(rbind, summary_rows), "optimism.tsv")

writeLines(c(
  "# pROC reference fixtures for il6hcc/optimism.py",
  "",
  "Inputs written by `python3 tests/r/make_optimism_inputs.py`; references by",
  "`Rscript tests/r/make_optimism_fixtures.R` (run from the repository root).",
  "",
  paste0("- R: ", R.version.string),
  paste0("- pROC: ", as.character(packageVersion("pROC"))),
  paste0("- Generated on: ", format(Sys.Date())),
  "",
  "- `patients.tsv`: two subgroups; change = post - pre, marker a rises, b falls (negated).",
  "- `index_sets.tsv.gz`: per subgroup and resample, each evaluable patient's multiplicity",
  "  (one base-36 digit each, patients in byte order of patient_id).",
  "- `resamples.tsv`: per resample, the AUC, the Youden cut-off chosen in it (oriented scale,",
  "  lowest among ties, NA when J <= 0) and its accuracy in the resample, on the original",
  "  patients and out of bag (NA without an out-of-bag patient of that class).",
  "- `optimism.tsv`: apparent, optimism (mean over resamples), corrected; R quantile type 7;",
  "  cut-offs on the scale of the change.",
  "",
  "Numbers have 17 significant digits."
), file.path(dir, "README.md"))
