// Cross-tabulation of matching items by two dimensions (facets or buckets), with overturn rates.
#include "imrdex/search/pivot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "imrdex/core/errors.hpp"
#include "imrdex/core/json.hpp"
#include "imrdex/search/facet_columns.hpp"

namespace imrdex {

namespace {

constexpr std::string_view kUnitNames[] = {"year", "quarter", "month"};

std::string range_buckets(const schema::RangeField& f) {
    std::string out;
    if (f.buckets == schema::BucketKind::calendar) {
        for (auto u : kUnitNames) out += (out.empty() ? "" : "|") + std::string(u);
    } else {
        for (unsigned w : f.bands)
            if (w != 0) out += (out.empty() ? "" : "|") + std::to_string(w);
    }
    return out;
}

// Splits a multi-valued slot's "a|b" into its distinct values.
void split_values(std::string_view v, std::vector<std::string>& out) {
    std::size_t start = 0;
    while (start <= v.size()) {
        std::size_t bar = v.find('|', start);
        if (bar == std::string_view::npos) bar = v.size();
        std::string part(v.substr(start, bar - start));
        if (!part.empty() && std::find(out.begin(), out.end(), part) == out.end())
            out.push_back(std::move(part));
        start = bar + 1;
    }
}

// The labels one slot value of `d` counts under: a bucket, a facet value, or each value of a
// multi-valued combination; kNoValue for none.
void labels_of(const Dimension& d, std::string_view raw, std::vector<std::string>& out) {
    out.clear();
    if (d.bucket()) {
        if (!raw.empty()) out.push_back(bucket_label(d, raw));
    } else if (d.multi_valued()) {
        split_values(raw, out);
    } else if (!raw.empty()) {
        out.emplace_back(raw);
    }
    if (out.empty()) out.emplace_back(kNoValue);
}

using Key = std::pair<std::string, std::string>;

// What both ways of counting produce: items per row value, per col value and per cell.
struct Tally {
    Xapian::doccount total = 0;
    std::map<std::string, Xapian::doccount> rows;
    std::map<std::string, Xapian::doccount> cols;
    std::map<Key, Xapian::doccount> cells;
};

// Counts the (row, col) ordinal pairs of one shard over the matches of an Enquire on that shard
// alone; col 0 throughout without a COLS dimension. Nothing is labelled per match, and the
// counts are a table indexed by the two ordinals (each row as long as the largest col ordinal
// met in it): a hash table per match cost a third of a pivot over every item.
class OrdinalPairSpy : public Xapian::MatchSpy {
public:
    OrdinalPairSpy(SlotOrdinals& rows, SlotOrdinals* cols) : rows_(rows), cols_(cols) {}
    void operator()(const Xapian::Document& doc, double /*wt*/) override {
        const std::uint32_t r = rows_.of(doc);
        const std::uint32_t c = cols_ != nullptr ? cols_->of(doc) : 0U;
        if (r >= counts_.size()) counts_.resize(std::size_t{r} + 1);
        std::vector<Xapian::doccount>& row = counts_[r];
        if (c >= row.size()) row.resize(std::size_t{c} + 1);
        ++row[c];
    }
    // Adds the counts to `t`: each distinct pair labelled (a multi-valued combination split,
    // a date bucketed) once.
    void tally(const Dimension& rows, const Dimension* cols, Tally& t) const {
        std::vector<std::string> row_labels, col_labels;
        for (std::uint32_t r = 0; r < counts_.size(); ++r) {
            if (counts_[r].empty()) continue;
            labels_of(rows, rows_.value(r), row_labels);
            for (std::uint32_t c = 0; c < counts_[r].size(); ++c) {
                const Xapian::doccount n = counts_[r][c];
                if (n == 0) continue;
                t.total += n;
                for (const auto& label : row_labels) t.rows[label] += n;
                if (cols == nullptr) continue;
                labels_of(*cols, cols_->value(c), col_labels);
                for (const auto& label : col_labels) t.cols[label] += n;
                for (const auto& rl : row_labels)
                    for (const auto& cl : col_labels) t.cells[Key(rl, cl)] += n;
            }
        }
    }

private:
    SlotOrdinals& rows_;
    SlotOrdinals* cols_;
    std::vector<std::vector<Xapian::doccount>> counts_;  // [row ordinal][col ordinal]
};

using RawCounts = std::map<std::string, Xapian::doccount>;

RawCounts spy_counts(const Xapian::ValueCountMatchSpy& spy) {
    RawCounts out;
    for (auto it = spy.values_begin(); it != spy.values_end(); ++it) out[*it] += it.get_termfreq();
    return out;
}

// Remote shards (whose servers run only Xapian's own spies): exact with ValueCountMatchSpy
// alone. One match counts the ROWS slot's values (and the COLS slot's); then per group of ROWS
// slot values that make one row (a value, a multi-valued combination, the values of one bucket:
// a contiguous range, since sortable_serialise keeps numeric order) one match of query FILTER
// that value range counts the COLS slot. The items without a ROWS value get the COLS counts of
// all matches less those of the groups.
Tally portable_tally(const Xapian::Database& db, const Xapian::Query& query, const Dimension& rows,
                     const Dimension* cols) {
    const Xapian::doccount all = std::max<Xapian::doccount>(db.get_doccount(), 1);
    Tally t;
    Xapian::Enquire enquire(db);
    enquire.set_query(query);
    Xapian::ValueCountMatchSpy row_spy(rows.slot());
    std::unique_ptr<Xapian::ValueCountMatchSpy> col_spy;
    enquire.add_matchspy(&row_spy);
    if (cols != nullptr) {
        col_spy = std::make_unique<Xapian::ValueCountMatchSpy>(cols->slot());
        enquire.add_matchspy(col_spy.get());
    }
    t.total = enquire.get_mset(0, 0, all).get_matches_estimated();

    struct Group {
        std::string lo, hi;
        Xapian::doccount items = 0;
        std::vector<std::string> labels;
    };
    std::map<std::string, Group> groups;
    std::vector<std::string> labels;
    for (const auto& [raw, n] : spy_counts(row_spy)) {
        labels_of(rows, raw, labels);
        const std::string key = rows.bucket() ? labels.front() : raw;
        Group& g = groups[key];
        if (g.items == 0) {
            g.lo = raw;
            g.labels = labels;
        }
        g.hi = raw;  // values come in ascending order
        g.items += n;
    }
    Xapian::doccount valued = 0;
    for (const auto& [key, g] : groups) {
        valued += g.items;
        for (const auto& r : g.labels) t.rows[r] += g.items;
    }
    if (t.total > valued) t.rows[std::string(kNoValue)] += t.total - valued;
    if (cols == nullptr) return t;

    std::vector<std::string> col_labels;
    auto add_cells = [&](const std::vector<std::string>& row_labels, const RawCounts& counts,
                         Xapian::doccount items) {
        Xapian::doccount with_value = 0;
        for (const auto& [raw, n] : counts) {
            if (n == 0) continue;
            with_value += n;
            labels_of(*cols, raw, col_labels);
            for (const auto& c : col_labels) {
                t.cols[c] += n;
                for (const auto& r : row_labels) t.cells[Key(r, c)] += n;
            }
        }
        if (items > with_value) {
            t.cols[std::string(kNoValue)] += items - with_value;
            for (const auto& r : row_labels)
                t.cells[Key(r, std::string(kNoValue))] += items - with_value;
        }
    };
    RawCounts rest = spy_counts(*col_spy);  // becomes the counts of items without a ROWS value
    for (const auto& [key, g] : groups) {
        Xapian::Enquire sub(db);
        sub.set_query(
            Xapian::Query(Xapian::Query::OP_FILTER, query,
                          Xapian::Query(Xapian::Query::OP_VALUE_RANGE, rows.slot(), g.lo, g.hi)));
        Xapian::ValueCountMatchSpy spy(cols->slot());
        sub.add_matchspy(&spy);
        (void)sub.get_mset(0, 0, all);
        const RawCounts counts = spy_counts(spy);
        for (const auto& [raw, n] : counts) rest[raw] -= n;
        add_cells(g.labels, counts, g.items);
    }
    if (t.total > valued) add_cells({std::string(kNoValue)}, rest, t.total - valued);
    return t;
}

std::string percent(double d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100 * d);
    return buf;
}

}  // namespace

Dimension parse_dimension(std::string_view name) {
    Dimension d;
    d.name = std::string(name);
    const std::size_t colon = name.find(':');
    const std::string_view field = name.substr(0, colon);
    if (colon == std::string_view::npos) {
        d.facet = schema::find_facet(field);
        if (d.facet != nullptr) return d;
        if (const auto* r = schema::find_range(field);
            r != nullptr && r->buckets != schema::BucketKind::none)
            throw QueryError("'" + std::string(name) + "' is counted in buckets: " +
                             std::string(field) + ":" + range_buckets(*r));
        throw QueryError("unknown dimension '" + std::string(name) +
                         "' (known: " + dimension_names() + ")");
    }
    const std::string_view unit = name.substr(colon + 1);
    d.range = schema::find_range(field);
    if (d.range == nullptr || d.range->buckets == schema::BucketKind::none)
        throw QueryError("unknown dimension '" + std::string(name) +
                         "' (known: " + dimension_names() + ")");
    if (d.range->buckets == schema::BucketKind::calendar) {
        const auto* u = std::find(std::begin(kUnitNames), std::end(kUnitNames), unit);
        if (u != std::end(kUnitNames)) {
            d.unit = static_cast<Dimension::Unit>(static_cast<int>(Dimension::Unit::year) +
                                                  (u - std::begin(kUnitNames)));
            return d;
        }
    } else {
        for (unsigned w : d.range->bands) {
            if (w != 0 && unit == std::to_string(w)) {
                d.unit = Dimension::Unit::band;
                d.width = w;
                return d;
            }
        }
    }
    throw QueryError("unknown bucket '" + std::string(name) + "' (" + std::string(field) +
                     " takes " + std::string(field) + ":" + range_buckets(*d.range) + ")");
}

std::string dimension_names() {
    std::string out = schema::facet_names();
    for (const auto& f : schema::kRangeFields)
        if (f.buckets != schema::BucketKind::none)
            out += "," + std::string(f.name) + ":" + range_buckets(f);
    return out;
}

std::string bucket_label(const Dimension& d, std::string_view serialised) {
    if (serialised.empty()) return {};
    const double v = Xapian::sortable_unserialise(std::string(serialised));
    char buf[48];
    if (d.unit == Dimension::Unit::band) {
        const long w = d.width;
        const auto start = static_cast<long>(std::floor(v / static_cast<double>(w))) * w;
        std::snprintf(buf, sizeof buf, "%ld-%ld", start, start + w - 1);
        return buf;
    }
    // yyyymmdd, 00 for an unknown month or day (schema: reduced precision).
    const long n = std::lround(v);
    const long year = n / 10000, month = (n / 100) % 100;
    switch (d.unit) {
        case Dimension::Unit::year:
            std::snprintf(buf, sizeof buf, "%04ld", year);
            break;
        case Dimension::Unit::quarter:
            if (month == 0)
                std::snprintf(buf, sizeof buf, "%04ld-Q?", year);
            else
                std::snprintf(buf, sizeof buf, "%04ld-Q%ld", year, (month - 1) / 3 + 1);
            break;
        default:
            if (month == 0)
                std::snprintf(buf, sizeof buf, "%04ld-??", year);
            else
                std::snprintf(buf, sizeof buf, "%04ld-%02ld", year, month);
    }
    return buf;
}

bool natural_less(const Dimension& d, std::string_view a, std::string_view b) {
    if (a == kNoValue || b == kNoValue) return a != kNoValue && b == kNoValue;
    if (d.bucket()) {
        auto lead = [](std::string_view s) {
            long n = 0;
            for (char c : s) {
                if (c < '0' || c > '9') break;
                n = n * 10 + (c - '0');
            }
            return n;
        };
        if (lead(a) != lead(b)) return lead(a) < lead(b);
    }
    return a < b;
}

Interval wilson_interval(std::size_t successes, std::size_t n) {
    if (n == 0) return {0, 1};
    constexpr double z = 1.959963984540054;  // the normal distribution's 97.5% point
    const double nn = static_cast<double>(n);
    const double p = static_cast<double>(successes) / nn;
    const double denom = 1 + z * z / nn;
    const double center = (p + z * z / (2 * nn)) / denom;
    const double half = z / denom * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn));
    // At 0 or n successes the bound is exactly 0 or 1; rounding would put it a hair inside.
    return {successes == 0 ? 0.0 : std::max(0.0, center - half),
            successes == n ? 1.0 : std::min(1.0, center + half)};
}

PivotResult Searcher::pivot(const PivotOptions& options) {
    PivotResult result;
    with_retries(options.query, options.allow_empty,
                 [&](const Xapian::Query& query) { result = pivot_once(options, query); });
    return result;
}

PivotResult Searcher::pivot_once(const PivotOptions& options, const Xapian::Query& query) {
    const Dimension rows = parse_dimension(options.rows);
    std::optional<Dimension> cols;
    if (!options.cols.empty()) cols = parse_dimension(options.cols);
    if (cols && cols->name == rows.name)
        throw QueryError("--pivot: ROWS and COLS are both '" + rows.name + "'");
    const bool decision_cols = cols && cols->facet != nullptr && cols->facet->name == "decision";
    const bool decision_rows = cols && rows.facet != nullptr && rows.facet->name == "decision";
    if (options.sort == PivotSort::rate && !decision_cols)
        throw QueryError("--sort rate needs decision as the COLS dimension (--pivot " + rows.name +
                         ",decision)");

    const Xapian::Query q = prepared(query);
    const Dimension* col_dim = cols ? &*cols : nullptr;
    Tally t;
    const FacetColumns* columns = current_columns();
    used_columns_ = columns != nullptr;
    warn_old_schema();
    if (local()) {
        // Local shards, counted in parallel: each match counts a pair of ordinals, from the
        // in-memory columns or from the two dimensions' slots.
        std::mutex merging;
        match_shards(query, [&](std::size_t shard, Xapian::Enquire& e) {
            const FacetColumns::Shard* s =
                columns != nullptr ? columns->shards[shard].get() : nullptr;
            SlotOrdinals row_ordinals(s != nullptr ? s->column(rows.slot()) : nullptr, rows.slot());
            std::optional<SlotOrdinals> col_ordinals;
            if (col_dim != nullptr)
                col_ordinals.emplace(s != nullptr ? s->column(col_dim->slot()) : nullptr,
                                     col_dim->slot());
            OrdinalPairSpy spy(row_ordinals, col_ordinals ? &*col_ordinals : nullptr);
            e.add_matchspy(&spy);
            // check_at_least = every document: the match runs to the end, so counts are exact.
            (void)e.get_mset(0, 0, std::max<Xapian::doccount>(shards_[shard].get_doccount(), 1));
            const std::lock_guard<std::mutex> lock(merging);
            spy.tally(rows, col_dim, t);
        });
    } else {
        t = portable_tally(db_, q, rows, col_dim);
    }

    PivotResult r;
    r.query = options.query;
    r.rows = rows.name;
    r.cols = cols ? cols->name : "";
    r.total = t.total;
    r.rates_by_row = decision_cols;
    auto cell = [&](const std::string& row, const std::string& col) {
        const auto it = t.cells.find(Key(row, col));
        return it == t.cells.end() ? Xapian::doccount{0} : it->second;
    };
    auto rate_of = [](std::string value, Xapian::doccount up, Xapian::doccount over) {
        PivotRate pr{std::move(value), up, over, std::nullopt, {}};
        if (up + over > 0) {
            pr.rate = static_cast<double>(over) / static_cast<double>(up + over);
            pr.interval = wilson_interval(over, up + over);
        }
        return pr;
    };

    // Columns: natural order for a bucket (and for decision... by count, as facets), (none) last.
    for (const auto& [c, n] : t.cols) r.col_values.push_back(c);
    std::stable_sort(r.col_values.begin(), r.col_values.end(), [&](const auto& a, const auto& b) {
        if (!cols || cols->bucket() || a == kNoValue || b == kNoValue)
            return natural_less(*cols, a, b);
        return t.cols[a] > t.cols[b];
    });

    std::vector<std::string> row_values;
    for (const auto& [v, n] : t.rows) {
        if (n < options.min_count) {
            ++r.omitted_rows;
            r.omitted_items += n;
            continue;
        }
        row_values.push_back(v);
    }
    PivotSort sort = options.sort;
    if (sort == PivotSort::automatic) sort = rows.bucket() ? PivotSort::name : PivotSort::count;
    std::map<std::string, PivotRate> row_rates;
    if (decision_cols)
        for (const auto& v : row_values)
            row_rates.emplace(v, rate_of(v, cell(v, "upheld"), cell(v, "overturned")));
    std::stable_sort(row_values.begin(), row_values.end(), [&](const auto& a, const auto& b) {
        if (sort != PivotSort::name && (a == kNoValue || b == kNoValue))
            return natural_less(rows, a, b);  // (none) last in every order
        switch (sort) {
            case PivotSort::count:
                if (t.rows[a] != t.rows[b]) return t.rows[a] > t.rows[b];
                break;
            case PivotSort::rate: {
                const auto ra = row_rates[a].rate.value_or(-1), rb = row_rates[b].rate.value_or(-1);
                if (ra != rb) return ra > rb;
                if (t.rows[a] != t.rows[b]) return t.rows[a] > t.rows[b];
                break;
            }
            default:
                break;
        }
        return natural_less(rows, a, b);
    });
    r.row_values = row_values;
    for (const auto& v : row_values) {
        r.row_totals.push_back(t.rows[v]);
        if (!cols) {
            r.cells.push_back({v, "", t.rows[v]});
            continue;
        }
        for (const auto& c : r.col_values) r.cells.push_back({v, c, cell(v, c)});
        if (decision_cols) r.rates.push_back(row_rates[v]);
    }
    if (decision_rows)
        for (const auto& c : r.col_values)
            r.rates.push_back(rate_of(c, cell("upheld", c), cell("overturned", c)));
    return r;
}

namespace {

std::string pad_left(const std::string& s, std::size_t width) {
    return std::string(width > s.size() ? width - s.size() : 0, ' ') + s;
}
std::string pad_right(const std::string& s, std::size_t width) {
    return s + std::string(width > s.size() ? width - s.size() : 0, ' ');
}

std::string rate_text(const PivotRate& p) {
    if (!p.rate) return "-";
    return percent(*p.rate) + " [" + percent(p.interval.low) + ", " + percent(p.interval.high) +
           "]";
}

std::string format_text(const PivotResult& r) {
    std::string out = std::to_string(r.total) + " matching item" + (r.total == 1 ? "" : "s") +
                      " for: " + r.query + "\n";
    out += "items by " + r.rows + (r.cols.empty() ? "" : " and " + r.cols) + " (exact)\n\n";
    const bool has_cols = !r.cols.empty();
    std::size_t first = r.rows.size();
    for (const auto& v : r.row_values) first = std::max(first, v.size());
    std::vector<std::string> heads;
    if (has_cols) heads = r.col_values;
    heads.emplace_back("total");
    std::vector<std::size_t> widths;
    for (const auto& h : heads) widths.push_back(std::max<std::size_t>(h.size(), 6));
    std::string header;
    for (std::size_t k = 0; k < heads.size(); ++k) header += "  " + pad_left(heads[k], widths[k]);
    if (r.rates_by_row) header += "  overturn rate [95% CI]";
    // The label column is as wide as its longest label or its title.
    const std::string title = has_cols ? r.rows + " \\ " + r.cols : r.rows;
    const std::size_t label_width = std::max(first, title.size());
    out += pad_right(title, label_width) + header + "\n";
    for (std::size_t i = 0; i < r.row_values.size(); ++i) {
        std::string line = pad_right(r.row_values[i], label_width);
        std::size_t k = 0;
        if (has_cols)
            for (; k < r.col_values.size(); ++k)
                line += "  " + pad_left(std::to_string(r.cells[i * r.col_values.size() + k].count),
                                        widths[k]);
        line += "  " + pad_left(std::to_string(r.row_totals[i]), widths[k]);
        if (r.rates_by_row) line += "  " + rate_text(r.rates[i]);
        out += line + "\n";
    }
    if (r.row_values.empty()) out += "(no rows)\n";
    if (!r.rates_by_row && !r.rates.empty()) {
        out += "\noverturn rate by " + r.cols + " [95% CI]\n";
        std::size_t w = r.cols.size();
        for (const auto& p : r.rates) w = std::max(w, p.value.size());
        for (const auto& p : r.rates) out += pad_right(p.value, w) + "  " + rate_text(p) + "\n";
    }
    if (r.omitted_rows > 0)
        out += "(" + std::to_string(r.omitted_rows) + " row" + (r.omitted_rows == 1 ? "" : "s") +
               " under --min-count left out: " + std::to_string(r.omitted_items) + " items)\n";
    return out;
}

std::string format_csv(const PivotResult& r) {
    std::string out =
        csv_field(r.rows) + (r.cols.empty() ? "" : "," + csv_field(r.cols)) + ",count\r\n";
    for (const auto& c : r.cells)
        out += csv_field(c.row) + (r.cols.empty() ? "" : "," + csv_field(c.col)) + "," +
               std::to_string(c.count) + "\r\n";
    return out;
}

std::string format_json(const PivotResult& r) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("query", r.query).field("total", std::uint64_t{r.total});
    w.field("rows", r.rows).key("cols");
    if (r.cols.empty())
        w.null();
    else
        w.value(r.cols);
    w.key("cells").begin_array();
    for (const auto& c : r.cells) {
        w.begin_object().field(r.rows, c.row);
        if (!r.cols.empty()) w.field(r.cols, c.col);
        w.field("count", std::uint64_t{c.count}).end_object();
    }
    w.end_array();
    if (!r.rates.empty() || r.rates_by_row || r.rows == "decision" || r.cols == "decision") {
        const std::string& by = r.rates_by_row ? r.rows : r.cols;
        w.key("rates").begin_array();
        for (const auto& p : r.rates) {
            w.begin_object().field(by, p.value).field("upheld", std::uint64_t{p.upheld});
            w.field("overturned", std::uint64_t{p.overturned});
            w.key("rate");
            if (p.rate)
                w.value(*p.rate).field("low", p.interval.low).field("high", p.interval.high);
            else
                w.null().key("low").null().key("high").null();
            w.end_object();
        }
        w.end_array();
    }
    w.field("omitted_rows", std::uint64_t{r.omitted_rows});
    w.field("omitted_items", std::uint64_t{r.omitted_items});
    w.end_object();
    return out + "\n";
}

}  // namespace

std::string format_pivot(const PivotResult& result, OutputFormat format) {
    switch (format) {
        case OutputFormat::json:
            return format_json(result);
        case OutputFormat::csv:
            return format_csv(result);
        case OutputFormat::text:
            break;
    }
    return format_text(result);
}

}  // namespace imrdex
