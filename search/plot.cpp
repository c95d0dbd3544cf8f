// Trend plots: a pivot over a date bucket written as a data file and a gnuplot script, drawn by
// running gnuplot as a child process in a temporary directory.
#include "imrdex/search/plot.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include "imrdex/core/errors.hpp"

extern char** environ;  // NOLINT: POSIX, for posix_spawnp

namespace imrdex {

namespace fs = std::filesystem;

namespace {

std::string lower_extension(std::string_view path) {
    std::string ext = fs::path(path).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

// `s` as a gnuplot single-quoted string: there only '' is special (no backslash escapes, no
// `command` substitution, no @macros), and the terminal's noenhanced option keeps ^ _ @ { } from
// being read as markup. Control characters (a newline would end the command) become spaces.
std::string gp_string(std::string_view s) {
    std::string out = "'";
    for (const char c : s) {
        if (c == '\'')
            out += "''";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            out += ' ';
        else
            out += c;
    }
    return out + "'";
}

// `lines` as one gnuplot string expression, each line single-quoted and joined by a "\n"
// that holds nothing else: in a double-quoted string gnuplot would run `backquoted` text as a
// shell command, and the query is the user's text.
std::string lines_of(const std::vector<std::string>& lines) {
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i)
        out += (i > 0 ? ".\"\\n\"." : "") + gp_string(lines[i]);
    return out;
}

// Buckets per year on the time axis.
long per_year(const Dimension& d) {
    return d.unit == Dimension::Unit::quarter ? 4 : d.unit == Dimension::Unit::month ? 12 : 1;
}

// The bucket's number counted from year 0 in its unit ("2016" 2016, "2016-Q3" 2016 * 4 + 2,
// "2016-07" 2016 * 12 + 6); none for (none) and a date without its quarter or month ("2016-Q?").
std::optional<long> tick_of(const Dimension& d, const std::string& label) {
    if (label.size() < 4 || label.find('?') != std::string::npos) return std::nullopt;
    long year = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        if (label[i] < '0' || label[i] > '9') return std::nullopt;
        year = year * 10 + (label[i] - '0');
    }
    switch (d.unit) {
        case Dimension::Unit::year:
            return label.size() == 4 ? std::optional<long>(year) : std::nullopt;
        case Dimension::Unit::quarter:
            if (label.size() != 7 || label[6] < '1' || label[6] > '4') return std::nullopt;
            return year * 4 + (label[6] - '1');
        case Dimension::Unit::month:
            if (label.size() != 7) return std::nullopt;
            return year * 12 + std::stol(label.substr(5)) - 1;
        default:
            return std::nullopt;
    }
}

std::string number(double v) {
    if (std::isnan(v)) return "NaN";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

// A temporary directory removed with its contents.
class ScratchDir {
public:
    ScratchDir() {
        std::string templ = (fs::temp_directory_path() / "imrdex-gnuplot-XXXXXX").string();
        if (::mkdtemp(templ.data()) == nullptr)
            throw IoError("cannot create a temporary directory for the plot: " +
                          std::string(std::strerror(errno)));
        path_ = templ;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void write_text(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw IoError("cannot write " + p.string());
}

// Runs `program script` with stdin from /dev/null and stdout and stderr into `log`; returns
// its wait status. Throws ToolError when the program cannot be started (not installed).
int run_program(const std::string& program, const fs::path& script, const fs::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::string arg0 = program, arg1 = script.string();
    char* argv[] = {arg0.data(), arg1.data(), nullptr};
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw ToolError(
            "cannot run " + program + " to draw the plot: " + std::strerror(rc) +
            (rc == ENOENT ? " (install Debian's gnuplot-nox: scripts/install-deps)" : ""));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw ToolError("waiting for " + program + ": " + std::strerror(errno));
    }
    return status;
}

}  // namespace

void check_plot_request(std::string_view path, std::string_view rows) {
    const std::string ext = lower_extension(path);
    if (ext != ".png" && ext != ".svg")
        throw QueryError("--plot: '" + std::string(path) +
                         "' must end in .png or .svg (the image format drawn)");
    const Dimension d = parse_dimension(rows);
    if (d.range == nullptr || d.range->buckets != schema::BucketKind::calendar)
        throw QueryError(
            "--plot draws a trend over time: --pivot's first dimension must be a date "
            "bucket such as decided:year, decided:quarter or injured:month, not '" +
            std::string(rows) + "'");
}

PlotScript plot_script(const PivotResult& r, const PlotOptions& options, std::string_view data,
                       std::string_view output) {
    check_plot_request(options.path, r.rows);
    if (r.omitted_rows > 0)
        throw QueryError(
            "--plot draws every bucket from the first to the last: rows left out "
            "(--min-count) would be drawn as 0");
    const Dimension rows = parse_dimension(r.rows);
    const bool has_cols = !r.cols.empty();
    const bool decision_cols = has_cols && r.cols == "decision";
    const std::size_t ncols = r.col_values.size();

    // The lines: each a name and, per COLS value, whether it feeds it (the top ones alone,
    // "other" the rest). Without COLS one line of the row totals.
    std::vector<std::string> names;
    std::vector<std::size_t> line_of(ncols, 0);
    PlotScript out;
    std::vector<std::size_t> plotted;    // indexes into r.row_values with a full date
    std::map<long, std::size_t> row_at;  // tick -> index into r.row_values
    for (std::size_t i = 0; i < r.row_values.size(); ++i) {
        if (const auto tick = tick_of(rows, r.row_values[i])) {
            plotted.push_back(i);
            row_at[*tick] = i;
        } else {
            out.left_out += r.row_totals[i];
        }
    }
    if (plotted.empty())
        throw QueryError("--plot: nothing to draw: no matching item has a full " +
                         std::string(rows.range->about) + " (" + std::to_string(out.left_out) +
                         " without one)");
    if (!has_cols) {
        names.emplace_back("items");
    } else {
        // COLS values by their items over the drawn buckets, most first; decision keeps them all.
        std::vector<Xapian::doccount> totals(ncols, 0);
        for (std::size_t i : plotted)
            for (std::size_t k = 0; k < ncols; ++k) totals[k] += r.cells[i * ncols + k].count;
        std::vector<std::size_t> order(ncols);
        for (std::size_t k = 0; k < ncols; ++k) order[k] = k;
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return totals[a] > totals[b]; });
        const std::size_t top = decision_cols ? ncols : std::min(ncols, options.top);
        for (std::size_t j = 0; j < ncols; ++j) {
            const std::size_t k = order[j];
            if (j < top) {
                line_of[k] = names.size();
                names.push_back(r.col_values[k]);
            } else {
                if (j == top) names.emplace_back("other");
                line_of[k] = top;
            }
        }
    }
    out.series = names.size();
    const long first = row_at.begin()->first, last = row_at.rbegin()->first;
    out.points = static_cast<std::size_t>(last - first + 1);
    std::map<std::string, const PivotRate*> rates;
    if (decision_cols)
        for (const auto& p : r.rates) rates.emplace(p.value, &p);

    // Data: x in years, one count column per line, then rate, low, high in percent (NaN: no
    // rate). A bucket between the first and the last without a row had no item: 0, no rate.
    std::ostringstream table;
    const long per = per_year(rows);
    for (long tick = first; tick <= last; ++tick) {
        table << number(static_cast<double>(tick) / static_cast<double>(per));
        std::vector<Xapian::doccount> counts(names.size(), 0);
        const auto at = row_at.find(tick);
        if (at == row_at.end()) {
            for (auto c : counts) table << '\t' << c;
            if (decision_cols) table << "\tNaN\tNaN\tNaN";
            table << '\n';
            continue;
        }
        const std::size_t i = at->second;
        if (!has_cols)
            counts[0] = r.row_totals[i];
        else
            for (std::size_t k = 0; k < ncols; ++k)
                counts[line_of[k]] += r.cells[i * ncols + k].count;
        for (auto c : counts) table << '\t' << c;
        if (decision_cols) {
            const auto it = rates.find(r.row_values[i]);
            const bool has = it != rates.end() && it->second->rate.has_value();
            table << '\t' << number(has ? 100 * *it->second->rate : NAN) << '\t'
                  << number(has ? 100 * it->second->interval.low : NAN) << '\t'
                  << number(has ? 100 * it->second->interval.high : NAN);
        }
        table << '\n';
    }
    out.data = table.str();

    const bool png = lower_extension(options.path) == ".png";
    const double step = 1.0 / static_cast<double>(per);
    // Three lines at most: what is counted, the query, what was left out.
    std::vector<std::string> title{"items by " + r.rows + (has_cols ? " and " + r.cols : "") +
                                       ", " + std::to_string(r.total) + " items",
                                   "for: " + r.query};
    if (out.left_out > 0)
        title.push_back(std::to_string(out.left_out) + " items without a full " +
                        std::string(rows.range->about) + " not drawn");
    const char* unit = rows.unit == Dimension::Unit::year      ? "year"
                       : rows.unit == Dimension::Unit::quarter ? "quarter"
                                                               : "month";
    std::ostringstream s;
    s << "set terminal " << (png ? "png" : "svg") << " size 1000,600 noenhanced\n";
    s << "set encoding utf8\n";
    s << "set output " << gp_string(output) << "\n";
    s << "set title " << lines_of(title) << "\n";
    s << "set xlabel " << gp_string(std::string(rows.range->about) + " (" + unit + ")") << "\n";
    s << "set ylabel " << gp_string("items") << "\n";
    s << "set xrange [" << number((static_cast<double>(first) - 0.5) * step) << ":"
      << number((static_cast<double>(last) + 0.5) * step) << "]\n";
    s << "set xtics 1 format '%.0f' nomirror\n";
    if (rows.unit != Dimension::Unit::year) s << "set mxtics " << number(1 / step) << "\n";
    s << "set yrange [0:*]\nset ytics nomirror\nset grid ytics\n";
    s << "set key below\nset datafile separator '\\t'\n";
    if (decision_cols) {
        s << "set y2label " << gp_string("overturn rate (%), 95% CI") << "\n";
        s << "set y2range [0:*]\nset y2tics\n";
    }
    s << "plot ";
    for (std::size_t k = 0; k < names.size(); ++k) {
        s << (k == 0 ? gp_string(data) : std::string("''")) << " using 1:" << k + 2
          << " with linespoints lw 2 title " << gp_string(names[k]) << ", ";
    }
    if (decision_cols) {
        const std::size_t c = names.size() + 2;
        s << "'' using 1:" << c << ":" << c + 1 << ":" << c + 2
          << " axes x1y2 with yerrorlines dt 2 title " << gp_string("overturn rate (right axis)");
    } else {
        s.seekp(-2, std::ios::cur);  // the last ", "
        s << "  ";
    }
    s << "\n";
    out.script = s.str();
    return out;
}

void plot_pivot(const PivotResult& result, const PlotOptions& options) {
    const ScratchDir dir;
    const std::string ext = lower_extension(options.path);
    const fs::path data = dir.path() / "data.tsv", script = dir.path() / "plot.gp",
                   image = dir.path() / ("plot" + ext), log = dir.path() / "gnuplot.log";
    const PlotScript p = plot_script(result, options, data.string(), image.string());
    write_text(data, p.data);
    write_text(script, p.script);
    const int status = run_program(options.gnuplot, script, log);
    std::error_code ec;
    const bool drawn = fs::exists(image, ec) && fs::file_size(image, ec) > 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !drawn) {
        std::ifstream in(log);
        std::string message((std::istreambuf_iterator<char>(in)), {});
        while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
            message.pop_back();
        if (message.size() > 2000) message = "..." + message.substr(message.size() - 2000);
        const std::string how = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                                  : "signal " + std::to_string(WTERMSIG(status));
        throw ToolError(options.gnuplot + " failed (" + how + ")" +
                        (drawn ? "" : ", no image written") +
                        (message.empty() ? "" : ": " + message));
    }
    // Drawn in the scratch directory first, so a failed run leaves no half-written file.
    fs::copy_file(image, options.path, fs::copy_options::overwrite_existing, ec);
    if (ec) throw IoError("cannot write the plot to '" + options.path + "': " + ec.message());
}

}  // namespace imrdex
