# Reference fixtures for il6hcc/stats/survival.py, made with R's survival package.
# Run from the repository root:  Rscript tests/r/make_survival_fixtures.R
# Writes tests/fixtures/survival/<dataset>/*.tsv and tests/fixtures/survival/README.md.
# Every number is written with 17 significant digits; "NA" marks what R reports as NA.
suppressPackageStartupMessages(library(survival))

out_root <- file.path("tests", "fixtures", "survival")
dir.create(out_root, recursive = TRUE, showWarnings = FALSE)

fmt <- function(x) {
  if (is.numeric(x)) {
    ifelse(is.na(x), "NA", sprintf("%.17g", x))
  } else {
    ifelse(is.na(x), "NA", as.character(x))
  }
}

write_tsv <- function(df, path) {
  body <- as.data.frame(lapply(df, fmt), stringsAsFactors = FALSE)
  write.table(body, path, sep = "\t", quote = FALSE, row.names = FALSE, na = "NA")
}

# ---- datasets --------------------------------------------------------------------------
datasets <- list()

# 1. Small, ties in times (within and across groups), one near-tie that timefix merges.
datasets$small_ties <- data.frame(
  time = c(1, 2, 2, 2, 3, 3 + 1e-10, 4, 5, 5, 6, 7, 8, 8, 9, 10, 12),
  event = c(1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1),
  group = c(0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0),
  line = c(1, 2, 1, 3, 1, 2, 2, 1, 3, 1, 1, 2, 1, 2, 3, 1)
)

# 2. Heavy censoring (about 75% censored).
set.seed(20250101)
n2 <- 48
t_event <- rexp(n2, rate = 0.05)
t_cens <- runif(n2, 1, 12)
grp2 <- rep(c(0, 1), length.out = n2)
datasets$heavy_censoring <- data.frame(
  time = round(pmin(t_event, t_cens), 2),
  event = as.numeric(t_event <= t_cens),
  group = grp2,
  line = sample(1:3, n2, replace = TRUE)
)

# 3. Event times tied across groups (coarse monthly grid), median exactly at a flat 0.5.
set.seed(7)
n3 <- 36
grp3 <- rep(c(0, 1), each = n3 / 2)
datasets$tied_across_groups <- data.frame(
  time = c(1:10, 11, 12, 13, 14, 15, 16, 17, 18, sample(1:12, n3 / 2, replace = TRUE)),
  event = c(rep(1, 10), 0, 1, 0, 1, 0, 1, 1, 0, rbinom(n3 / 2, 1, 0.7)),
  group = grp3,
  line = sample(1:2, n3, replace = TRUE)
)

# 4. Large (n = 400): landmarked months (time - 0.7), two groups, line of therapy 1-3.
set.seed(42)
n4 <- 400
grp4 <- rbinom(n4, 1, 0.45)
line4 <- sample(1:3, n4, replace = TRUE, prob = c(0.5, 0.3, 0.2))
rate4 <- 0.08 * exp(-0.4 * grp4 + 0.25 * (line4 - 1))
t4 <- round(rexp(n4, rate4), 1) + 0.8
c4 <- round(runif(n4, 3, 40), 1)
datasets$large <- data.frame(
  time = pmin(t4, c4) - 0.7,
  event = as.numeric(t4 <= c4),
  group = grp4,
  line = line4
)

# 5. Degenerate: no events in group 1.
datasets$no_events_in_group <- data.frame(
  time = c(2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
  event = c(1, 1, 0, 1, 0, 0, 0, 0, 0, 0),
  group = c(0, 0, 0, 0, 0, 1, 1, 1, 1, 1),
  line = c(1, 2, 1, 2, 1, 2, 1, 2, 1, 1)
)

# 6. Degenerate: no events at all.
datasets$no_events <- data.frame(
  time = c(1, 2, 3, 4, 5, 6),
  event = c(0, 0, 0, 0, 0, 0),
  group = c(0, 0, 0, 1, 1, 1),
  line = c(1, 2, 1, 2, 1, 2)
)

at_times <- c(0, 1, 2.5, 3, 6, 12, 24, 100)
models <- list(
  unadjusted = Surv(time, event) ~ group,
  adjusted = Surv(time, event) ~ group + line,
  adjusted_factor = Surv(time, event) ~ group + line_f
)

km_rows <- function(fit, curve) {
  s <- summary(fit, censored = TRUE)
  data.frame(curve = curve, time = s$time, n_risk = s$n.risk, n_event = s$n.event,
             n_censor = s$n.censor, survival = s$surv, std_err = s$std.err,
             ci_low = s$lower, ci_high = s$upper)
}

median_row <- function(fit, curve) {
  tab <- summary(fit)$table
  data.frame(curve = curve, median = unname(tab["median"]),
             lcl = unname(tab["0.95LCL"]), ucl = unname(tab["0.95UCL"]))
}

for (name in names(datasets)) {
  d <- datasets[[name]]
  d$line_f <- factor(d$line)
  dir <- file.path(out_root, name)
  dir.create(dir, showWarnings = FALSE)
  write_tsv(d[, c("time", "event", "group", "line")], file.path(dir, "data.tsv"))

  # Kaplan-Meier, overall and per group, and medians.
  km <- list()
  med <- list()
  fit_all <- survfit(Surv(time, event) ~ 1, data = d)
  km[[1]] <- km_rows(fit_all, "all")
  med[[1]] <- median_row(fit_all, "all")
  for (g in sort(unique(d$group))) {
    fit_g <- survfit(Surv(time, event) ~ 1, data = d[d$group == g, ])
    km[[length(km) + 1]] <- km_rows(fit_g, paste0("group=", g))
    med[[length(med) + 1]] <- median_row(fit_g, paste0("group=", g))
  }
  write_tsv(do.call(rbind, km), file.path(dir, "km.tsv"))
  write_tsv(do.call(rbind, med), file.path(dir, "median.tsv"))

  # Numbers at risk per group (extend = TRUE so times past the last follow-up give 0).
  fit_grp <- survfit(Surv(time, event) ~ group, data = d)
  s <- summary(fit_grp, times = at_times, extend = TRUE)
  write_tsv(data.frame(group = sub("group=", "", as.character(s$strata)), time = s$time,
                       n_risk = s$n.risk), file.path(dir, "at_risk.tsv"))

  # Log-rank test.
  sd <- suppressWarnings(survdiff(Surv(time, event) ~ group, data = d))
  # With no events R's df is -1 and pchisq gives NaN with a warning; the NaN is recorded.
  df_lr <- sum(sd$exp > 0) - 1
  write_tsv(data.frame(group = sub("group=", "", names(sd$n)), n = as.vector(sd$n),
                       observed = sd$obs, expected = sd$exp, chisq = sd$chisq,
                       df = df_lr, p_value = sd$pvalue), file.path(dir, "logrank.tsv"))

  # Cox models (Efron ties) and cox.zph, skipped where R itself warns or fails.
  cox_out <- list()
  zph_out <- list()
  for (m in names(models)) {
    warned <- NULL
    fit <- withCallingHandlers(
      tryCatch(coxph(models[[m]], data = d, ties = "efron"), error = function(e) NULL),
      warning = function(w) {
        warned <<- conditionMessage(w)
        invokeRestart("muffleWarning")
      })
    if (is.null(fit) || !is.null(warned) || fit$nevent == 0) {
      reason <- if (is.null(warned)) "no events (R's fit is meaningless)" else warned
      cox_out[[m]] <- data.frame(model = m, term = NA, coef = NA, se = NA, z = NA, p_value = NA,
                                 ci_low = NA, ci_high = NA, n = nrow(d), n_events = sum(d$event),
                                 loglik_null = NA, loglik = NA, lr_chisq = NA, lr_df = NA,
                                 lr_p_value = NA, r_status = gsub("[\t\n]", " ", reason))
      next
    }
    sm <- summary(fit)
    ci <- exp(confint(fit))
    lr <- 2 * (fit$loglik[2] - fit$loglik[1])
    lr_df <- sum(!is.na(coef(fit)))
    cox_out[[m]] <- data.frame(
      model = m, term = names(coef(fit)), coef = unname(coef(fit)),
      se = unname(sqrt(diag(fit$var))), z = unname(sm$coefficients[, "z"]),
      p_value = unname(sm$coefficients[, "Pr(>|z|)"]),
      ci_low = unname(ci[, 1]), ci_high = unname(ci[, 2]), n = fit$n, n_events = fit$nevent,
      loglik_null = fit$loglik[1], loglik = fit$loglik[2], lr_chisq = lr, lr_df = lr_df,
      lr_p_value = pchisq(lr, lr_df, lower.tail = FALSE), r_status = "ok")
    zp <- cox.zph(fit)$table
    zph_out[[m]] <- data.frame(model = m, term = rownames(zp), chisq = zp[, "chisq"],
                               df = zp[, "df"], p_value = zp[, "p"])
  }
  write_tsv(do.call(rbind, cox_out), file.path(dir, "cox.tsv"))
  if (length(zph_out) > 0) {
    write_tsv(do.call(rbind, zph_out), file.path(dir, "zph.tsv"))
  }
}

writeLines(c(
  "# Survival fixtures",
  "",
  "Made by `tests/r/make_survival_fixtures.R` (run from the repository root).",
  paste0("- ", R.version.string),
  paste0("- survival ", as.character(packageVersion("survival"))),
  "",
  "One folder per dataset: `data.tsv` (time, event, group, line), `km.tsv`",
  "(`summary(survfit(Surv(time, event) ~ 1), censored = TRUE)` overall and per group,",
  "std_err is summary()'s standard error of S), `median.tsv` (`summary(fit)$table`),",
  "`at_risk.tsv` (`summary(survfit(~ group), times = ..., extend = TRUE)$n.risk`),",
  "`logrank.tsv` (`survdiff`), `cox.tsv` (`coxph(..., ties = \"efron\")`; models",
  "unadjusted = group, adjusted = group + line, adjusted_factor = group + factor(line);",
  "r_status holds R's warning where R flagged the fit) and `zph.tsv` (`cox.zph(fit)$table`,",
  "transform = \"km\", terms = TRUE, only for fits R accepted without warning).",
  "Numbers are written with 17 significant digits; NA is R's NA."
), file.path(out_root, "README.md"))
