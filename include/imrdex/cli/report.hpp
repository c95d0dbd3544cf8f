// What the programs print about an index, extraction or merge run: sizes and times as text, the
// progress bar, the summary and the --stats-json / --rejects records (library imrdex_cli).
#pragma once

#include <string>

#include "imrdex/index/merge.hpp"
#include "imrdex/index/pipeline.hpp"

namespace imrdex::cli {

// "12.3 MB" below a gigabyte, "1.23 GB" from there.
std::string human_bytes(double bytes);

// "M:SS", or "H:MM:SS" from an hour.
std::string clock_text(double seconds);

// Redraws the one-line progress bar on stderr (letters, text, rate, share of the input, ETA).
void draw_progress(const IndexProgress& p);

// One plain progress line on stderr for a log (stderr not a terminal): letters, letters/s, the
// share of the input and the ETA when the input's size is known; no carriage return, no escapes.
void log_progress(const IndexProgress& p);

// Seconds between log_progress lines: IMRDEX_PROGRESS_SECONDS when set to a positive number
// (tests use a fraction), else 5.
double log_progress_interval();

// The summary on stderr at the end of an index run (`extract`: of an --extract run).
void print_summary(const IndexStats& s, bool extract);

// The run's figures as one JSON object in the file `path`; throws IoError when it cannot.
void write_stats_json(const std::string& path, const IndexStats& s, bool extract);

// One --rejects record (a JSON object, without the newline).
std::string rejection_json(const Rejection& r);

// --extract --stats: the unknown drug-like request words on stderr, most frequent first.
void print_unknown_drugs(const ExtractStats& s);

// The one-line summary of --merge on stderr.
void print_merge_summary(const MergeStats& s, const std::string& out);

// --merge --stats-json: the merge's figures as one JSON object in the file `path`.
void write_merge_stats_json(const std::string& path, const MergeStats& s);

}  // namespace imrdex::cli
