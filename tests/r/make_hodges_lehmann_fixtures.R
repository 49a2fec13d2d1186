# Reference values from base R for il6hcc.stats.nonparametric.hodges_lehmann_signed_rank: the
# pseudo-median of paired differences and its confidence interval, as
# wilcox.test(post, pre, paired = TRUE, conf.int = TRUE).
#
# Run from the repository root, after tests/r/make_core_fixtures.R (it reads the paired data sets
# that script wrote):   Rscript tests/r/make_hodges_lehmann_fixtures.R
# Writes tests/fixtures/core/hodges_lehmann.tsv (case, variant, conf_level_requested, key, value;
# 17 significant digits, NA for missing) and data_paired_hl_extra.tsv (small extra data sets),
# and adds its R version to hodges_lehmann_versions.tsv. Only base R (stats) is used.

out_dir <- file.path("tests", "fixtures", "core")

fmt <- function(v) {
  if (is.numeric(v)) return(ifelse(is.na(v), "NA", sprintf("%.17g", v)))
  as.character(v)
}

read_paired <- function(case) {
  read.delim(file.path(out_dir, paste0("data_paired_", case, ".tsv")), na.strings = "NA")
}

paired <- lapply(setNames(nm = c("small", "tied", "censored", "large")), read_paired)
# Extra data sets where R cannot reach the requested level, or gives no interval at all.
extra <- list(
  four_pairs = data.frame(pre = c(2.0, 3.1, 4.7, 1.9), post = c(3.5, 2.8, 6.9, 4.4)),
  five_pairs = data.frame(pre = c(2.0, 3.1, 4.7, 1.9, 5.5), post = c(3.5, 2.8, 6.9, 4.4, 5.0)),
  # ties and zero differences with only three non-zero differences: asymptotic, level widened
  three_tied = data.frame(pre = c(1, 2, 3, 4, 5), post = c(2, 3, 4, 4, 7)),
  # every non-zero difference the same: no interval, the estimate is that difference
  all_same = data.frame(pre = c(1, 2, 3, 4), post = c(2, 3, 4, 4))
)
extra_long <- do.call(rbind, lapply(names(extra), function(nm) cbind(case = nm, extra[[nm]])))
write.table(extra_long, file.path(out_dir, "data_paired_hl_extra.tsv"), sep = "\t",
            quote = FALSE, row.names = FALSE, na = "NA")
paired <- c(paired, extra)

variants <- list(default = list(exact = NULL, correct = TRUE),
                 nocorrect = list(exact = NULL, correct = FALSE),
                 approx = list(exact = FALSE, correct = TRUE),
                 log_ratio = list(exact = NULL, correct = TRUE))

rows <- list()
add <- function(case, variant, level, key, value) {
  rows[[length(rows) + 1L]] <<- data.frame(case = case, variant = variant,
                                           conf_level_requested = fmt(level), key = key,
                                           value = fmt(value), stringsAsFactors = FALSE)
}

for (case in names(paired)) {
  d <- paired[[case]]
  for (vname in names(variants)) {
    v <- variants[[vname]]
    for (level in c(0.95, 0.90)) {
      warnings_seen <- character(0)
      res <- withCallingHandlers(
        if (vname == "log_ratio") {
          ok <- complete.cases(d$pre, d$post) & d$pre > 0 & d$post > 0
          wilcox.test(log2(d$post[ok] / d$pre[ok]), exact = v$exact, correct = v$correct,
                      conf.int = TRUE, conf.level = level)
        } else {
          wilcox.test(d$post, d$pre, paired = TRUE, exact = v$exact, correct = v$correct,
                      conf.int = TRUE, conf.level = level)
        },
        warning = function(w) {
          warnings_seen <<- c(warnings_seen, conditionMessage(w))
          invokeRestart("muffleWarning")
        })
      add(case, vname, level, "estimate", unname(res$estimate))
      add(case, vname, level, "estimate_name", names(res$estimate))
      add(case, vname, level, "ci_low", res$conf.int[1])
      add(case, vname, level, "ci_high", res$conf.int[2])
      add(case, vname, level, "conf_level", attr(res$conf.int, "conf.level"))
      add(case, vname, level, "r_method", res$method)
      add(case, vname, level, "warnings",
          if (length(warnings_seen)) paste(warnings_seen, collapse = " | ") else "none")
    }
  }
}

write.table(do.call(rbind, rows), file.path(out_dir, "hodges_lehmann.tsv"), sep = "\t",
            quote = FALSE, row.names = FALSE, na = "NA")
writeLines(c("item\tvalue", paste0("R\t", R.version.string),
             paste0("stats\t", as.character(packageVersion("stats"))),
             "script\ttests/r/make_hodges_lehmann_fixtures.R"),
           file.path(out_dir, "hodges_lehmann_versions.tsv"))
