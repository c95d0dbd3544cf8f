// Trend plots of a pivot over a date bucket (imr-search --plot), drawn by gnuplot.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "imrdex/search/pivot.hpp"

namespace imrdex {

struct PlotOptions {
    std::string path;     // FILE.png or FILE.svg: the extension picks gnuplot's terminal
    std::size_t top = 6;  // COLS values drawn as their own line; the rest summed as "other"
    std::string gnuplot = "gnuplot";  // the program run (looked up on PATH)
};

// Throws QueryError (a usage error) unless `path` ends in .png or .svg and `rows` names a
// date bucket (`decided:year`, `injured:quarter`, `assigned:month`, ...): what a plot needs,
// checked before any search runs.
void check_plot_request(std::string_view path, std::string_view rows);

// The gnuplot script plot_pivot runs, reading the data file `data` and writing `output`: one
// count line per COLS value (the top `top` by items, the rest summed as "other"; one line of
// all items without COLS) against the bucket's time axis, and with decision as COLS the
// overturn rate with its 95% Wilson interval on a second y axis. The query is in the title;
// text is passed to gnuplot in single quotes, without markup (noenhanced). Exposed for tests.
struct PlotScript {
    std::string script;
    std::string data;          // tab-separated: x, then one column per line of the plot
    std::size_t points = 0;    // buckets drawn: all from the first to the last full date
    std::size_t series = 0;    // count lines (the rate line not included)
    std::size_t left_out = 0;  // items in buckets without a full date ((none), 2016-Q?)
};
[[nodiscard]] PlotScript plot_script(const PivotResult& result, const PlotOptions& options,
                                     std::string_view data, std::string_view output);

// Draws `result` (a pivot whose ROWS is a date bucket) to options.path by running gnuplot on a
// data file and a script in a temporary directory, removed afterwards. Throws QueryError for a
// bad request (check_plot_request, or nothing with a full date to draw), ToolError when gnuplot
// is missing or fails (with its message), IoError when the file cannot be written.
void plot_pivot(const PivotResult& result, const PlotOptions& options);

}  // namespace imrdex
