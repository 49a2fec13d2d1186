# Reference results for the whole workflow run with every statistics setting changed at once
# (tests/test_settings_workflow.py), computed independently with R from the raw cohort file.
# Run from the repository root:  Rscript tests/r/make_settings_fixtures.R
# Reads tests/data/settings/cohort.csv (SIMULATED, 60 patients, il6hcc.simulate seed 24) and the
# settings in tests/data/settings/settings.tsv; writes tests/fixtures/settings/*.tsv, one file per
# workflow table, with the workflow's column names and the keys the test joins on.
# Numbers are written with 17 significant digits; "NA" marks what R reports as NA.
suppressPackageStartupMessages({
  library(pROC)
  library(survival)
})

cohort_path <- file.path("tests", "data", "settings", "cohort.csv")
settings_path <- file.path("tests", "data", "settings", "settings.tsv")
out_dir <- file.path("tests", "fixtures", "settings")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

fmt <- function(x) {
  if (is.logical(x)) ifelse(is.na(x), "NA", ifelse(x, "True", "False"))
  else if (is.numeric(x)) ifelse(is.na(x), "NA", sprintf("%.17g", x))
  else ifelse(is.na(x), "NA", as.character(x))
}
write_tsv <- function(rows, name) {
  df <- do.call(rbind, rows)
  body <- as.data.frame(lapply(df, fmt), stringsAsFactors = FALSE)
  write.table(body, file.path(out_dir, name), sep = "\t", quote = FALSE, row.names = FALSE)
}

# --- Settings: the only values this script supports; anything else stops it ---------------
settings_table <- read.delim(settings_path, colClasses = "character")
settings <- setNames(settings_table$value, settings_table$key)
conf_level <- as.numeric(settings[["statistics.conf_level"]])
stopifnot(
  settings[["statistics.proportion_ci"]] == "wilson",
  settings[["statistics.continuity_correction"]] == "false",
  settings[["statistics.multiple_testing.family"]] == "subgroup",
  settings[["change_metric"]] == "percent"
)
adjust_method <- settings[["statistics.multiple_testing.method"]]
below_factor <- c(lloq = 1, half_lloq = 0.5, lloq_sqrt2 = 1 / sqrt(2))[[
  settings[["censoring.below_lloq"]]
]]
correct <- FALSE

# --- The rest of config.yaml, unchanged by the test ------------------------------------------
markers <- data.frame(
  key = c("il6", "afp", "afp_l3", "dcp"),
  lloq = c(1.5, 1.0, 0.5, 5),
  favourable = c("rise", "fall", "fall", "fall"),
  stringsAsFactors = FALSE
)
# Criteria: percent change compared with a cut-off (il6 > 0, afp <= -20, afp_l3 <= -20,
# dcp <= -50). The workflow counts a change within 1e-9 (relative) of the cut-off as equal to it.
criteria <- list(
  il6 = list(cmp = "gt", value = 0), afp = list(cmp = "le", value = -20),
  afp_l3 = list(cmp = "le", value = -20), dcp = list(cmp = "le", value = -50)
)
reference_marker <- "il6"
categorical <- c("sex", "etiology", "child_pugh", "bclc", "albi_grade", "ecog_ps")
continuous <- c("age", paste0(markers$key, "_pre"))
landmark <- 0.7

# --- Raw file: lab text to numbers ---------------------------------------------------------
raw <- read.csv(cohort_path, colClasses = "character", na.strings = "")
cohort <- data.frame(patient_id = raw$patient_id, stringsAsFactors = FALSE)
cohort$line <- as.numeric(raw$line_of_therapy)
cohort$responder <- ifelse(raw$response %in% c("CR", "PR"), 1,
  ifelse(is.na(raw$response) | raw$response == "NE", NA, 0))
for (column in c(categorical)) cohort[[column]] <- raw[[column]]
cohort$age <- as.numeric(raw$age)
for (key in markers$key) {
  for (time in c("pre", "post")) {
    column <- paste0(key, "_", time)
    text <- trimws(raw[[column]])
    below <- !is.na(text) & startsWith(text, "<")
    value <- suppressWarnings(as.numeric(sub("^[<>]", "", text)))
    cohort[[column]] <- ifelse(below, value * below_factor, value)
    cohort[[paste0(column, "_below")]] <- below
  }
}
for (column in c("pfs_months", "pfs_event", "os_months", "os_event")) {
  cohort[[column]] <- as.numeric(raw[[column]])
}

subgroups <- list(
  all = rep(TRUE, nrow(cohort)),
  first_line = !is.na(cohort$line) & cohort$line == 1,
  later_line = !is.na(cohort$line) & cohort$line >= 2
)

percent_change <- function(data, key) {
  pre <- data[[paste0(key, "_pre")]]
  post <- data[[paste0(key, "_post")]]
  ifelse(pre > 0, 100 * (post - pre) / pre, NA)
}
change_below <- function(data, key) {
  data[[paste0(key, "_pre_below")]] | data[[paste0(key, "_post_below")]]
}

# Median and quartiles by R's quantile(type = 7), each flagged when an order statistic it uses
# (positions floor and ceiling of 1 + (n - 1) p) equals a value substituted below the LLOQ.
describe <- function(values, below, prefix) {
  keep <- !is.na(values)
  x <- values[keep]
  substitutes <- x[below[keep]]
  sorted <- sort(x)
  out <- list()
  flags <- list()
  for (stat in c("median", "q1", "q3")) {
    p <- c(median = 0.5, q1 = 0.25, q3 = 0.75)[[stat]]
    if (length(x) == 0) {
      out[[paste0(prefix, stat)]] <- NA_real_
      flags[[paste0(prefix, stat, "_below_lloq")]] <- FALSE
    } else {
      h <- 1 + (length(x) - 1) * p
      used <- sorted[c(floor(h), ceiling(h))]
      out[[paste0(prefix, stat)]] <- unname(quantile(x, p, type = 7))
      flags[[paste0(prefix, stat, "_below_lloq")]] <- any(used %in% substitutes)
    }
  }
  as.data.frame(c(out, flags))
}

# --- Table 1 ---------------------------------------------------------------------------------
line_group <- function(data) {
  ifelse(is.na(data$line), NA, ifelse(data$line == 1, "first-line", "later-line"))
}
response_group <- function(data) {
  ifelse(is.na(data$responder), NA, ifelse(data$responder == 1, "responders", "non-responders"))
}
summary_rows <- list()
test_rows <- list()
for (subgroup in names(subgroups)) {
  data <- cohort[subgroups[[subgroup]], ]
  for (by in c("line_of_therapy", "response")) {
    groups <- if (by == "line_of_therapy") line_group(data) else response_group(data)
    order <- if (by == "line_of_therapy") c("first-line", "later-line") else
      c("responders", "non-responders")
    variables <- categorical
    if (by == "response") variables <- c("line_of_therapy_group", variables)
    for (variable in c(variables, continuous)) {
      kind <- if (variable %in% continuous) "continuous" else "categorical"
      values <- if (variable == "line_of_therapy_group") line_group(data) else data[[variable]]
      for (group in c(order, "overall")) {
        members <- if (group == "overall") rep(TRUE, nrow(data)) else
          (!is.na(groups) & groups == group)
        v <- values[members]
        if (kind == "categorical") {
          for (level in sort(unique(values[!is.na(values)]))) {
            count <- sum(v == level, na.rm = TRUE)
            known <- sum(!is.na(v))
            summary_rows[[length(summary_rows) + 1]] <- data.frame(
              subgroup = subgroup, by = by, variable = variable, group = group, level = level,
              n = count, percent = if (known > 0) 100 * count / known else NA_real_,
              n_missing = sum(is.na(v)), stringsAsFactors = FALSE
            )
          }
        } else {
          below_column <- paste0(variable, "_below")
          below <- if (below_column %in% names(data)) data[[below_column]][members] else
            rep(FALSE, sum(members))
          lloq <- if (variable %in% paste0(markers$key, "_pre")) {
            markers$lloq[paste0(markers$key, "_pre") == variable]
          } else NA_real_
          summary_rows[[length(summary_rows) + 1]] <- cbind(
            data.frame(
              subgroup = subgroup, by = by, variable = variable, group = group, level = "",
              n = sum(!is.na(v)), percent = NA_real_, n_missing = sum(is.na(v)),
              stringsAsFactors = FALSE
            ),
            describe(v, below, ""), lloq = lloq
          )
        }
      }
      statistic <- NA_real_
      p_value <- NA_real_
      if (kind == "categorical") {
        known <- !is.na(values) & !is.na(groups)
        counts <- table(values[known], groups[known])
        if (nrow(counts) >= 2 && ncol(counts) >= 2) {
          p_value <- fisher.test(counts, workspace = 2e8)$p.value
        }
      } else {
        a <- values[!is.na(groups) & groups == order[1] & !is.na(values)]
        b <- values[!is.na(groups) & groups == order[2] & !is.na(values)]
        if (length(a) > 0 && length(b) > 0) {
          test <- suppressWarnings(wilcox.test(a, b, correct = correct))
          statistic <- unname(test$statistic)
          p_value <- test$p.value
        }
      }
      test_rows[[length(test_rows) + 1]] <- data.frame(
        subgroup = subgroup, by = by, variable = variable,
        statistic = statistic, p_value = p_value, stringsAsFactors = FALSE
      )
    }
  }
}
summary_table <- do.call(rbind, lapply(summary_rows, function(row) {
  for (column in c("median", "q1", "q3", "lloq")) if (is.null(row[[column]])) row[[column]] <- NA_real_
  for (column in c("median_below_lloq", "q1_below_lloq", "q3_below_lloq")) {
    if (is.null(row[[column]])) row[[column]] <- FALSE
  }
  row[, c("subgroup", "by", "variable", "group", "level", "n", "percent", "median", "q1", "q3",
          "median_below_lloq", "q1_below_lloq", "q3_below_lloq", "lloq", "n_missing")]
}))
write_tsv(list(summary_table), "table1_summary.tsv")
write_tsv(test_rows, "table1_tests.tsv")

# --- Pre/post (Wilcoxon signed-rank) ---------------------------------------------------------
signed_rank <- function(pre, post) {
  keep <- !is.na(pre) & !is.na(post)
  d <- post[keep] - pre[keep]
  nonzero <- d[d != 0]
  if (length(d) < 2 || length(nonzero) == 0) {
    return(list(statistic = NA_real_, p_value = NA_real_, rank_biserial = NA_real_))
  }
  test <- suppressWarnings(wilcox.test(post[keep], pre[keep], paired = TRUE, correct = correct))
  ranks <- rank(abs(nonzero))
  positive <- sum(ranks[nonzero > 0])
  negative <- sum(ranks[nonzero < 0])
  list(statistic = unname(test$statistic), p_value = test$p.value,
       rank_biserial = (positive - negative) / (positive + negative))
}
# One table from its rows, with p-values adjusted over all of them (one family).
with_adjusted <- function(rows) {
  table <- do.call(rbind, rows)
  table$p_adjusted <- p.adjust(table$p_value, method = adjust_method)
  table
}
rank_sum <- function(a, b) {
  a <- a[!is.na(a)]
  b <- b[!is.na(b)]
  if (length(a) == 0 || length(b) == 0) {
    return(list(n_a = length(a), n_b = length(b), statistic = NA_real_, p_value = NA_real_,
                rank_biserial = NA_real_))
  }
  test <- suppressWarnings(wilcox.test(a, b, correct = correct))
  w <- unname(test$statistic)
  list(n_a = length(a), n_b = length(b), statistic = w, p_value = test$p.value,
       rank_biserial = 2 * w / (length(a) * length(b)) - 1)
}

prepost_rows <- list()
responder_rows <- list()
for (subgroup in names(subgroups)) {
  data <- cohort[subgroups[[subgroup]], ]
  rows <- list()
  for (i in seq_len(nrow(markers))) {
    key <- markers$key[i]
    for (group in c("all", "responders", "non-responders")) {
      members <- switch(group,
        all = data,
        responders = data[!is.na(data$responder) & data$responder == 1, ],
        "non-responders" = data[!is.na(data$responder) & data$responder == 0, ]
      )
      pre <- members[[paste0(key, "_pre")]]
      post <- members[[paste0(key, "_post")]]
      pre_below <- members[[paste0(key, "_pre_below")]]
      post_below <- members[[paste0(key, "_post_below")]]
      complete <- !is.na(pre) & !is.na(post)
      test <- signed_rank(pre, post)
      change <- percent_change(members, key)[complete]
      rows[[length(rows) + 1]] <- cbind(
        data.frame(subgroup = subgroup, marker = key, group = group,
                   n_patients = nrow(members), n_pairs = sum(complete), stringsAsFactors = FALSE),
        describe(pre[complete], pre_below[complete], "pre_"),
        describe(post[complete], post_below[complete], "post_"),
        lloq = markers$lloq[i],
        describe(change, (pre_below | post_below)[complete], "change_"),
        n_increased = sum(post[complete] > pre[complete]),
        n_decreased = sum(post[complete] < pre[complete]),
        n_unchanged = sum(post[complete] == pre[complete]),
        statistic = test$statistic, p_value = test$p_value, rank_biserial = test$rank_biserial
      )
    }
  }
  # Family "subgroup": every pre/post p-value of the subgroup together.
  prepost_rows[[subgroup]] <- with_adjusted(rows)

  rows <- list()
  for (key in markers$key) {
    change <- percent_change(data, key)
    below <- change_below(data, key)
    is_responder <- !is.na(data$responder) & data$responder == 1
    is_non_responder <- !is.na(data$responder) & data$responder == 0
    test <- rank_sum(change[is_responder], change[is_non_responder])
    rows[[length(rows) + 1]] <- cbind(
      data.frame(subgroup = subgroup, marker = key, n_a = test$n_a, n_b = test$n_b,
                 stringsAsFactors = FALSE),
      describe(change[is_responder], below[is_responder], "change_a_"),
      describe(change[is_non_responder], below[is_non_responder], "change_b_"),
      statistic = test$statistic, p_value = test$p_value, rank_biserial = test$rank_biserial
    )
  }
  responder_rows[[subgroup]] <- with_adjusted(rows)
}
write_tsv(prepost_rows, "prepost.tsv")
write_tsv(responder_rows, "responders_vs_nonresponders.tsv")

# --- Between subgroups: first-line versus later-line -------------------------------------------
rows <- list()
a_data <- cohort[subgroups$first_line, ]
b_data <- cohort[subgroups$later_line, ]
for (key in markers$key) {
  change_a <- percent_change(a_data, key)
  change_b <- percent_change(b_data, key)
  test <- rank_sum(change_a, change_b)
  rows[[length(rows) + 1]] <- cbind(
    data.frame(comparison = "first_vs_later_line", marker = key, n_a = test$n_a, n_b = test$n_b,
               stringsAsFactors = FALSE),
    describe(change_a, change_below(a_data, key), "change_a_"),
    describe(change_b, change_below(b_data, key), "change_b_"),
    statistic = test$statistic, p_value = test$p_value, rank_biserial = test$rank_biserial
  )
}
write_tsv(list(with_adjusted(rows)), "compare_subgroups.tsv")

# --- Logistic regression: glm, Wald CI at conf_level (confint.default) -------------------------
rows <- list()
for (subgroup in names(subgroups)) {
  data <- cohort[subgroups[[subgroup]], ]
  for (key in markers$key) {
    change_column <- paste0(key, "_change")
    model_data <- data.frame(responder = data$responder, line_of_therapy = data$line)
    model_data[[change_column]] <- percent_change(data, key)
    terms <- change_column
    if (length(unique(na.omit(data$line))) > 1) terms <- c(terms, "line_of_therapy")
    complete <- model_data[complete.cases(model_data[, c("responder", terms)]), ]
    fit <- glm(reformulate(terms, "responder"), family = binomial, data = complete,
               control = glm.control(epsilon = 1e-14, maxit = 100))
    coefs <- summary(fit)$coefficients
    ci <- exp(confint.default(fit, level = conf_level))
    rows[[length(rows) + 1]] <- data.frame(
      subgroup = subgroup, marker = key, term = rownames(coefs),
      estimate = coefs[, "Estimate"], std_error = coefs[, "Std. Error"], z = coefs[, "z value"],
      p_value = coefs[, "Pr(>|z|)"], odds_ratio = exp(coefs[, "Estimate"]),
      ci_low = ci[, 1], ci_high = ci[, 2], conf_level = conf_level,
      n = nrow(complete), n_events = sum(complete$responder),
      n_excluded = nrow(data) - nrow(complete), stringsAsFactors = FALSE
    )
  }
}
write_tsv(rows, "logistic.tsv")

# --- ROC: pROC, levels = c(0, 1), direction "<" on the change oriented by favourable direction --
oriented <- function(data, i) {
  change <- percent_change(data, markers$key[i])
  if (markers$favourable[i] == "rise") change else -change
}
auc_rows <- list()
delong_rows <- list()
for (subgroup in names(subgroups)) {
  data <- cohort[subgroups[[subgroup]] & !is.na(cohort$responder), ]
  for (i in seq_len(nrow(markers))) {
    score <- oriented(data, i)
    keep <- !is.na(score)
    curve <- roc(data$responder[keep], score[keep], levels = c(0, 1), direction = "<",
                 quiet = TRUE)
    ci <- ci.auc(curve, conf.level = conf_level, method = "delong")
    best <- coords(curve, "best", best.method = "youden",
                   ret = c("threshold", "sensitivity", "specificity"), transpose = FALSE)
    # Among tied optima the workflow reports the lowest threshold.
    best <- best[which.min(best$threshold), ]
    sign <- if (markers$favourable[i] == "rise") 1 else -1
    auc_rows[[length(auc_rows) + 1]] <- data.frame(
      subgroup = subgroup, marker = markers$key[i],
      n_cases = sum(data$responder[keep] == 1), n_controls = sum(data$responder[keep] == 0),
      n_missing = sum(!keep), auc = as.numeric(curve$auc), auc_se = sqrt(var(curve)),
      ci_low = ci[1], ci_high = ci[3], conf_level = conf_level,
      youden_threshold_change = sign * best$threshold,
      youden_sensitivity = best$sensitivity, youden_specificity = best$specificity,
      youden_j = best$sensitivity + best$specificity - 1, stringsAsFactors = FALSE
    )
  }
  rows <- list()
  a <- which(markers$key == reference_marker)
  for (b in which(markers$key != reference_marker)) {
    score_a <- oriented(data, a)
    score_b <- oriented(data, b)
    keep <- !is.na(score_a) & !is.na(score_b)
    curve_a <- roc(data$responder[keep], score_a[keep], levels = c(0, 1), direction = "<",
                   quiet = TRUE)
    curve_b <- roc(data$responder[keep], score_b[keep], levels = c(0, 1), direction = "<",
                   quiet = TRUE)
    test <- roc.test(curve_a, curve_b, method = "delong", paired = TRUE,
                     conf.level = conf_level)
    difference <- as.numeric(curve_a$auc) - as.numeric(curve_b$auc)
    rows[[length(rows) + 1]] <- data.frame(
      subgroup = subgroup, marker_a = markers$key[a], marker_b = markers$key[b],
      n_cases = sum(data$responder[keep] == 1), n_controls = sum(data$responder[keep] == 0),
      auc_a = as.numeric(curve_a$auc), auc_b = as.numeric(curve_b$auc),
      auc_difference = difference,
      se_difference = (test$conf.int[2] - test$conf.int[1]) / (2 * qnorm(0.5 + conf_level / 2)),
      ci_low = test$conf.int[1], ci_high = test$conf.int[2], conf_level = conf_level,
      z = unname(test$statistic), p_value = test$p.value, stringsAsFactors = FALSE
    )
  }
  delong_rows[[subgroup]] <- with_adjusted(rows)
}
write_tsv(auc_rows, "auc.tsv")
write_tsv(delong_rows, "delong.tsv")

# --- Criteria: 2x2 tables, Wilson intervals (prop.test without correction), exact McNemar -------
criterion_positive <- function(data, key) {
  change <- percent_change(data, key)
  rule <- criteria[[key]]
  at_cut <- abs(change - rule$value) <= 1e-9 * max(1, abs(rule$value))
  positive <- switch(rule$cmp, gt = change > rule$value, ge = change >= rule$value,
                     lt = change < rule$value, le = change <= rule$value)
  positive[!is.na(at_cut) & at_cut] <- rule$cmp %in% c("ge", "le")
  positive
}
wilson <- function(x, n) {
  if (n == 0) return(c(NA_real_, NA_real_))
  suppressWarnings(prop.test(x, n, conf.level = conf_level, correct = FALSE)$conf.int[1:2])
}
accuracy_rows <- list()
mcnemar_rows <- list()
for (subgroup in names(subgroups)) {
  data <- cohort[subgroups[[subgroup]] & !is.na(cohort$responder), ]
  positives <- lapply(setNames(markers$key, markers$key), function(k) criterion_positive(data, k))
  for (key in markers$key) {
    positive <- positives[[key]]
    known <- !is.na(positive)
    case <- data$responder[known] == 1
    test <- positive[known]
    tp <- sum(test & case)
    fp <- sum(test & !case)
    fn <- sum(!test & case)
    tn <- sum(!test & !case)
    measures <- list(
      sensitivity = c(tp, tp + fn), specificity = c(tn, tn + fp), ppv = c(tp, tp + fp),
      npv = c(tn, tn + fn), accuracy = c(tp + tn, tp + fp + fn + tn)
    )
    for (measure in names(measures)) {
      counts <- measures[[measure]]
      ci <- wilson(counts[1], counts[2])
      accuracy_rows[[length(accuracy_rows) + 1]] <- data.frame(
        subgroup = subgroup, marker = key, measure = measure,
        numerator = counts[1], denominator = counts[2],
        estimate = if (counts[2] > 0) counts[1] / counts[2] else NA_real_,
        ci_low = ci[1], ci_high = ci[2], conf_level = conf_level,
        tp = tp, fp = fp, fn = fn, tn = tn,
        n_evaluable = sum(known), n_not_evaluable = sum(!known), stringsAsFactors = FALSE
      )
    }
  }
  rows <- list()
  for (measure in c("sensitivity", "specificity")) {
    flag <- if (measure == "sensitivity") 1 else 0
    members <- data$responder == flag
    for (key in setdiff(markers$key, reference_marker)) {
      a <- positives[[reference_marker]][members]
      b <- positives[[key]][members]
      both <- !is.na(a) & !is.na(b)
      a <- a[both]
      b <- b[both]
      if (measure == "specificity") {
        a <- !a
        b <- !b
      }
      a_only <- sum(a & !b)
      b_only <- sum(!a & b)
      rows[[length(rows) + 1]] <- data.frame(
        subgroup = subgroup, measure = measure, marker_a = reference_marker, marker_b = key,
        n = length(a), estimate_a = mean(a), estimate_b = mean(b),
        a_only = a_only, b_only = b_only, both = sum(a & b), neither = sum(!a & !b),
        p_value = if (a_only + b_only > 0) binom.test(a_only, a_only + b_only)$p.value else NA,
        stringsAsFactors = FALSE
      )
    }
  }
  mcnemar_rows[[subgroup]] <- with_adjusted(rows)
}
write_tsv(accuracy_rows, "accuracy.tsv")
write_tsv(mcnemar_rows, "mcnemar.tsv")

# --- Survival: landmark 0.7 months, IL-6 rise (post > pre) vs not, CIs at conf_level ------------
cox_rows <- list()
logrank_rows <- list()
median_rows <- list()
level_name <- format(conf_level)
endpoints <- list(pfs = c("pfs_months", "pfs_event"), os = c("os_months", "os_event"))
cohort$il6_rise <- as.numeric(cohort$il6_post > cohort$il6_pre)
for (subgroup in names(subgroups)) {
  members <- cohort[subgroups[[subgroup]] & !is.na(cohort$il6_rise), ]
  for (endpoint in names(endpoints)) {
    time <- members[[endpoints[[endpoint]][1]]]
    event <- members[[endpoints[[endpoint]][2]]]
    kept <- !is.na(time) & !is.na(event) & time > landmark
    data <- data.frame(time = time[kept] - landmark, event = event[kept],
                       il6_rise = members$il6_rise[kept], line = members$line[kept])
    models <- list(unadjusted = Surv(time, event) ~ il6_rise)
    if (length(unique(data$line)) > 1) models$adjusted <- Surv(time, event) ~ il6_rise + line
    for (model in names(models)) {
      fit <- coxph(models[[model]], data = data, ties = "efron")
      s <- summary(fit, conf.int = conf_level)
      cox_rows[[length(cox_rows) + 1]] <- data.frame(
        subgroup = subgroup, endpoint = endpoint, model = model,
        term = sub("^line$", "line_of_therapy", rownames(s$coefficients)),
        coef = s$coefficients[, "coef"], hazard_ratio = s$coefficients[, "exp(coef)"],
        se = s$coefficients[, "se(coef)"], p_value = s$coefficients[, "Pr(>|z|)"],
        ci_low = s$conf.int[, 3], ci_high = s$conf.int[, 4], conf_level = conf_level,
        n = fit$n, n_events = fit$nevent, lr_chisq = s$logtest[["test"]],
        stringsAsFactors = FALSE
      )
    }
    test <- survdiff(Surv(time, event) ~ il6_rise, data = data)
    logrank_rows[[length(logrank_rows) + 1]] <- data.frame(
      subgroup = subgroup, endpoint = endpoint,
      n_a = test$n[["il6_rise=1"]], n_b = test$n[["il6_rise=0"]],
      events_a = test$obs[2], events_b = test$obs[1],
      expected_a = test$exp[2], expected_b = test$exp[1],
      chisq = test$chisq, p_value = pchisq(test$chisq, length(test$n) - 1, lower.tail = FALSE)
    )
    table <- summary(survfit(Surv(time, event) ~ il6_rise, data = data,
                             conf.int = conf_level))$table
    median_rows[[length(median_rows) + 1]] <- data.frame(
      subgroup = subgroup, endpoint = endpoint,
      group = ifelse(rownames(table) == "il6_rise=1", "rise", "no rise"),
      n = table[, "n.start"], n_events = table[, "events"], median = table[, "median"],
      ci_low = table[, paste0(level_name, "LCL")], ci_high = table[, paste0(level_name, "UCL")],
      conf_level = conf_level, stringsAsFactors = FALSE
    )
  }
}
write_tsv(cox_rows, "cox.tsv")
write_tsv(logrank_rows, "logrank.tsv")
write_tsv(median_rows, "medians.tsv")

write_tsv(
  list(data.frame(
    item = c("R", "pROC", "survival", "script", "cohort", "cohort_md5", "settings",
             "settings_md5"),
    value = c(R.version.string, as.character(packageVersion("pROC")),
              as.character(packageVersion("survival")), "tests/r/make_settings_fixtures.R",
              cohort_path, unname(tools::md5sum(cohort_path)), settings_path,
              unname(tools::md5sum(settings_path))),
    stringsAsFactors = FALSE
  )),
  "versions.tsv"
)
