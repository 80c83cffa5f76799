# Runs the README's R recipe for one library, exactly as written there, and
# checks what it read against the values the file holds.
#
#   Rscript read_results.R README.md WORK_DIR LIBRARY
#
# LIBRARY is rhdf5 or hdf5r: the README's ```r block that loads it is run
# with WORK_DIR as the working directory, where tests/r/run_recipe.py has
# written results/classroom.h5 (a single run, with --events) and, in
# expected/, what an exact reader gets from it (one value per line, in R's
# order). Exit status 0 when every check holds, 1 otherwise.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) {
  cat("usage: Rscript read_results.R README.md WORK_DIR LIBRARY\n", file = stderr())
  quit(status = 2)
}
readme <- normalizePath(args[1])
work <- normalizePath(args[2])
library_name <- args[3]
problems <- character()
problem <- function(...) problems <<- c(problems, paste0(...))

# The README's ```r blocks; the one that loads this library.
lines <- readLines(readme, encoding = "UTF-8")
starts <- which(lines == "```r")
ends <- which(lines == "```")
blocks <- lapply(starts, function(s) lines[(s + 1):(min(ends[ends > s]) - 1)])
pattern <- paste0("^library\\(", library_name, "\\)")
recipe <- Filter(function(b) any(grepl(pattern, b)), blocks)
if (length(recipe) != 1) {
  cat(sprintf("read_results.R: FAILED: README.md has %d ```r blocks loading %s, expected 1\n",
              length(recipe), library_name), file = stderr())
  quit(status = 1)
}

setwd(work)
got <- new.env()
outcome <- tryCatch({
  eval(parse(text = recipe[[1]]), envir = got)
  NULL
}, error = function(e) conditionMessage(e))
if (!is.null(outcome)) {
  cat(sprintf("read_results.R: FAILED: the README's %s recipe stops: %s\n", library_name, outcome),
      file = stderr())
  quit(status = 1)
}

expected <- function(name) readLines(file.path(work, "expected", name), encoding = "UTF-8")
numbers <- function(text) as.numeric(ifelse(text == "NaN", NaN, text))
same_numbers <- function(a, b) length(a) == length(b) && all((is.nan(a) & is.nan(b)) | (!is.nan(a) & a == b))
need <- function(name) {
  if (!exists(name, envir = got, inherits = FALSE)) {
    problem("the recipe defines no '", name, "'")
    return(NULL)
  }
  get(name, envir = got)
}

segments <- expected("segments.txt")
firms <- expected("firms.txt")
dims <- as.integer(expected("customers_dims.txt"))  # segment, firm, month, run

customers <- need("customers")
if (!is.null(customers)) {
  if (!identical(as.integer(dim(customers)), dims)) {
    problem("customers has dim ", paste(dim(customers), collapse = " x "), ", expected ",
            paste(dims, collapse = " x "), " (segment x firm x month x run)")
  } else if (!is.integer(customers)) {
    problem("customers reads as ", typeof(customers), ", not integer")
  } else if (!same_numbers(as.numeric(customers), numbers(expected("customers.txt")))) {
    problem("customers holds other values than the file")
  }
}

follow <- need("follow")
if (!is.null(follow)) {
  if (!identical(as.integer(dim(follow)), dims[c(1, 2, 4)])) {
    problem("follow has dim ", paste(dim(follow), collapse = " x "), ", expected ",
            paste(dims[c(1, 2, 4)], collapse = " x "), " (segment x firm x run)")
  } else if (!identical(lapply(dimnames(follow)[1:2], as.vector), list(segments, firms))) {
    problem("follow's dimnames are not the segment and firm names")
  } else if (!same_numbers(as.numeric(follow), numbers(expected("follow_rate.txt")))) {
    problem("follow holds other values than the file")
  }
}

seeds <- need("seeds")
if (!is.null(seeds) && !identical(as.character(as.vector(seeds)), expected("seeds.txt"))) {
  problem("seeds are ", paste(as.character(seeds), collapse = " "), ", expected ",
          paste(expected("seeds.txt"), collapse = " "))
}

choice <- need("choice")
if (!is.null(choice)) {
  wanted <- expected("choice_counts.txt")  # "meaning count" per line, in code order
  counts <- table(choice)
  text <- paste(names(counts), as.integer(counts))
  if (!is.factor(choice) || !identical(text, wanted)) {
    problem("choice counts are ", paste(text, collapse = ", "), "; expected ", paste(wanted, collapse = ", "))
  }
}

if (length(problems)) {
  cat(sprintf("read_results.R: FAILED (%s): %s\n", library_name, problems), file = stderr(), sep = "")
  quit(status = 1)
}
cat(sprintf("read_results.R: the README's %s recipe reads results/classroom.h5 exactly\n", library_name))
