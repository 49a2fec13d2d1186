# Reference results for the workflow's prognosis analysis (rule survival) on the bundled
# SIMULATED cohort, computed independently with R's survival package from the raw cohort file.
# Run from the repository root:  Rscript tests/r/make_prognosis_fixture.R
# Writes tests/fixtures/prognosis/{cox,logrank,zph,medians,versions}.tsv.
# Numbers are written with 17 significant digits; "NA" marks what R reports as NA.
suppressPackageStartupMessages(library(survival))

cohort_path <- file.path("resources", "simulated_cohort.csv")
out_dir <- file.path("tests", "fixtures", "prognosis")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)

fmt <- function(x) {
  if (is.numeric(x)) ifelse(is.na(x), "NA", sprintf("%.17g", x)) else as.character(x)
}
write_tsv <- function(df, path) {
  body <- as.data.frame(lapply(df, fmt), stringsAsFactors = FALSE)
  write.table(body, path, sep = "\t", quote = FALSE, row.names = FALSE, na = "NA")
}

# Configuration the workflow runs with (config.yaml): landmark 0.7 months, IL-6 rise
# (post > pre) versus no rise, Cox adjusted for line of therapy (numeric), subgroups all,
# first_line (line 1) and later_line (line >= 2). IL-6 below the LLOQ ("<1.5") is substituted
# by LLOQ/2 as in the workflow's cleaning (censoring.below_lloq: half_lloq); only the order of
# pre and post matters for "rise", and two censored values are equal (no rise).
landmark <- 0.7
cohort <- read.csv(cohort_path, colClasses = "character")
lab_value <- function(text) {
  text <- trimws(text)
  below <- startsWith(text, "<")
  value <- suppressWarnings(as.numeric(sub("^[<>]", "", text)))
  ifelse(below, value / 2, value)
}
cohort$il6_pre <- lab_value(cohort$il6_pre)
cohort$il6_post <- lab_value(cohort$il6_post)
cohort$line <- as.numeric(cohort$line_of_therapy)
cohort$il6_rise <- as.numeric(cohort$il6_post > cohort$il6_pre)

subgroups <- list(
  all = rep(TRUE, nrow(cohort)),
  first_line = cohort$line == 1,
  later_line = cohort$line >= 2
)
endpoints <- list(pfs = c("pfs_months", "pfs_event"), os = c("os_months", "os_event"))

cox_rows <- list()
logrank_rows <- list()
zph_rows <- list()
median_rows <- list()
for (subgroup in names(subgroups)) {
  members <- cohort[subgroups[[subgroup]] & !is.na(cohort$il6_rise), ]
  for (endpoint in names(endpoints)) {
    time <- as.numeric(members[[endpoints[[endpoint]][1]]])
    event <- as.numeric(members[[endpoints[[endpoint]][2]]])
    kept <- !is.na(time) & !is.na(event) & time > landmark
    data <- data.frame(
      time = time[kept] - landmark, event = event[kept],
      il6_rise = members$il6_rise[kept], line = members$line[kept]
    )
    models <- list(unadjusted = Surv(time, event) ~ il6_rise)
    if (length(unique(data$line)) > 1) {
      models$adjusted <- Surv(time, event) ~ il6_rise + line
    }
    for (model in names(models)) {
      fit <- coxph(models[[model]], data = data, ties = "efron")
      s <- summary(fit)
      terms <- sub("^line$", "line_of_therapy", rownames(s$coefficients))
      cox_rows[[length(cox_rows) + 1]] <- data.frame(
        subgroup = subgroup, endpoint = endpoint, model = model, term = terms,
        coef = s$coefficients[, "coef"], hazard_ratio = s$coefficients[, "exp(coef)"],
        se = s$coefficients[, "se(coef)"], p_value = s$coefficients[, "Pr(>|z|)"],
        ci_low = s$conf.int[, "lower .95"], ci_high = s$conf.int[, "upper .95"],
        n = fit$n, n_events = fit$nevent, lr_chisq = s$logtest[["test"]]
      )
      zph <- cox.zph(fit)$table
      zph_rows[[length(zph_rows) + 1]] <- data.frame(
        subgroup = subgroup, endpoint = endpoint, model = model,
        term = sub("^line$", "line_of_therapy", rownames(zph)),
        chisq = zph[, "chisq"], df = zph[, "df"], p_value = zph[, "p"]
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
    table <- summary(survfit(Surv(time, event) ~ il6_rise, data = data))$table
    median_rows[[length(median_rows) + 1]] <- data.frame(
      subgroup = subgroup, endpoint = endpoint,
      group = ifelse(rownames(table) == "il6_rise=1", "rise", "no rise"),
      n = table[, "n.start"], n_events = table[, "events"], median = table[, "median"],
      ci_low = table[, "0.95LCL"], ci_high = table[, "0.95UCL"]
    )
  }
}
write_tsv(do.call(rbind, cox_rows), file.path(out_dir, "cox.tsv"))
write_tsv(do.call(rbind, zph_rows), file.path(out_dir, "zph.tsv"))
write_tsv(do.call(rbind, logrank_rows), file.path(out_dir, "logrank.tsv"))
write_tsv(do.call(rbind, median_rows), file.path(out_dir, "medians.tsv"))
write_tsv(
  data.frame(
    item = c("R", "survival", "script", "cohort", "cohort_md5"),
    value = c(
      R.version.string, as.character(packageVersion("survival")),
      "tests/r/make_prognosis_fixture.R", cohort_path, unname(tools::md5sum(cohort_path))
    )
  ),
  file.path(out_dir, "versions.tsv")
)
