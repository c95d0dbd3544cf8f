// Dimensions (facets and date/number buckets) and cross-tabulations of matching items.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "imrdex/core/schema.hpp"
#include "imrdex/search/search.hpp"

namespace imrdex {

// What items are counted by: a facet of schema::kFacets (`class`), or a bucketed range field of
// schema::kRangeFields (`decided:year`, `injured:quarter`, `assigned:month`, `age:5`).
struct Dimension {
    enum class Unit : unsigned char { facet, year, quarter, month, band };
    std::string name;  // as it is written: "class", "decided:year"
    const schema::Facet* facet = nullptr;
    const schema::RangeField* range = nullptr;
    Unit unit = Unit::facet;
    unsigned width = 0;  // Unit::band: years per band

    [[nodiscard]] unsigned slot() const { return facet != nullptr ? facet->slot : range->slot; }
    [[nodiscard]] bool bucket() const { return range != nullptr; }
    [[nodiscard]] bool multi_valued() const { return facet != nullptr && facet->multi_valued; }
};

// Parses `class`, `decided:year`, `age:5`; throws QueryError naming an unknown facet, field or
// unit, with what is accepted.
[[nodiscard]] Dimension parse_dimension(std::string_view name);

// Every dimension name accepted, for help texts: "decision,...,decided:year|quarter|month,...".
[[nodiscard]] std::string dimension_names();

// The bucket label of one value of a bucketed range slot (a sortable_serialise'd number):
// "2016", "2016-Q3", "2016-07", "40-44". A date stored without its month ("2016") falls in
// "2016-Q?" and "2016-??", after that year's known quarters and months. Empty for no value.
[[nodiscard]] std::string bucket_label(const Dimension& d, std::string_view serialised);

// Natural order of a dimension's labels: buckets by their leading number (year, band start),
// then as text; facet values as text; schema kNoValue last.
[[nodiscard]] bool natural_less(const Dimension& d, std::string_view a, std::string_view b);

// The 95% Wilson score interval of `successes` out of `n` (n > 0): {low, high}.
struct Interval {
    double low = 0;
    double high = 0;
};
[[nodiscard]] Interval wilson_interval(std::size_t successes, std::size_t n);

enum class PivotSort {
    automatic,  // natural order for a bucket dimension, count for a facet
    count,      // items in the row, most first
    rate,       // overturn rate, highest first (decision must be the COLS dimension)
    name,       // natural order
};

struct PivotOptions {
    std::string query;
    std::string rows;  // a dimension name
    std::string cols;  // a dimension name, or empty for counts by ROWS alone
    PivotSort sort = PivotSort::automatic;
    Xapian::doccount min_count = 0;  // rows with fewer items are left out
    bool allow_empty = false;        // as SearchOptions::allow_empty
};

struct PivotCell {
    std::string row;
    std::string col;  // empty without a COLS dimension
    Xapian::doccount count = 0;
};

// The overturn rate of one value of the dimension that is not `decision`.
struct PivotRate {
    std::string value;
    Xapian::doccount upheld = 0;
    Xapian::doccount overturned = 0;
    std::optional<double> rate;  // overturned / (upheld + overturned); none when both are 0
    Interval interval;           // 95% Wilson
};

struct PivotResult {
    std::string query;
    std::string rows;  // dimension names as written
    std::string cols;
    Xapian::doccount total = 0;           // items matched, exact
    std::vector<std::string> row_values;  // in the order asked for (--sort), omitted ones left out
    std::vector<Xapian::doccount> row_totals;  // items per row (a multi-valued COLS counts one
                                               // item in several cells)
    std::vector<std::string> col_values;       // natural order for buckets, else by count
    std::vector<PivotCell> cells;  // every row x col, row_values order then col_values order
    std::vector<PivotRate> rates;  // per row (decision COLS) or per col (decision ROWS), in order
    bool rates_by_row = false;     // rates follow row_values; else col_values
    std::size_t omitted_rows = 0;  // rows under min_count
    Xapian::doccount omitted_items = 0;
};

// Text: an aligned table (rate columns when decision is COLS); CSV: tidy long format, header
// `ROWS,COLS,count`; JSON: {query, total, rows, cols, cells: [{ROWS, COLS, count}], rates}.
std::string format_pivot(const PivotResult& result, OutputFormat format);

}  // namespace imrdex
