// The one comparator of extraction records in the tests: two records in their JSON form, field by
// field, every difference with its path. The parser samples and the generator round trip use it.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "imrdex/core/letter.hpp"

namespace imrdex::testing {

struct FieldDiff {
    std::string field;  // the path without its record name and array indices: "items.request"
    std::string path;   // where exactly: "CM16-0213037.items[2].request"
    std::string want;   // each side as JSON; "(absent)" for a missing key; for arrays of
    std::string got;    // different lengths, the whole arrays
};

inline std::string describe(const FieldDiff& d) {
    return d.path + ": want " + d.want + " got " + d.got;
}

namespace detail {

inline void compare_json(simdjson::dom::element want, simdjson::dom::element got,
                         const std::string& field, const std::string& path,
                         std::vector<FieldDiff>& diffs) {
    using simdjson::dom::element_type;
    const auto differ = [&](std::string w, std::string g) {
        diffs.push_back({field, path, std::move(w), std::move(g)});
    };
    // Members and elements extend the path; the field name skips the record's own name.
    const auto member = [&](std::string_view key) {
        return field.empty() ? std::string(key) : field + "." + std::string(key);
    };
    if (want.type() != got.type()) {
        differ(simdjson::to_string(want), simdjson::to_string(got));
        return;
    }
    switch (want.type()) {
        case element_type::OBJECT: {
            const simdjson::dom::object wo = want.get_object();
            const simdjson::dom::object go = got.get_object();
            for (auto [key, value] : wo) {
                const std::string p = path + "." + std::string(key);
                simdjson::dom::element other;
                if (go.at_key(key).get(other)) {
                    diffs.push_back({member(key), p, simdjson::to_string(value), "(absent)"});
                    continue;
                }
                compare_json(value, other, member(key), p, diffs);
            }
            for (auto [key, value] : go) {
                simdjson::dom::element other;
                if (wo.at_key(key).get(other)) {
                    diffs.push_back({member(key), path + "." + std::string(key), "(absent)",
                                     simdjson::to_string(value)});
                }
            }
            return;
        }
        case element_type::ARRAY: {
            const simdjson::dom::array wa = want.get_array();
            const simdjson::dom::array ga = got.get_array();
            if (wa.size() != ga.size()) {
                diffs.push_back({field + ".count", path,
                                 std::to_string(wa.size()) + ": " + simdjson::to_string(want),
                                 std::to_string(ga.size()) + ": " + simdjson::to_string(got)});
            }
            // The common prefix too: a dropped last item still shows which items agree.
            const std::size_t n = std::min(wa.size(), ga.size());
            for (std::size_t i = 0; i < n; ++i) {
                compare_json(wa.at(i).value(), ga.at(i).value(), field,
                             path + "[" + std::to_string(i) + "]", diffs);
            }
            return;
        }
        default:
            if (simdjson::to_string(want) != simdjson::to_string(got)) {
                differ(simdjson::to_string(want), simdjson::to_string(got));
            }
    }
}

}  // namespace detail

// Every difference between the records `want` and `got`; `name` (a letter id or file stem)
// heads each path.
inline std::vector<FieldDiff> compare_records(simdjson::dom::element want,
                                              simdjson::dom::element got, const std::string& name) {
    std::vector<FieldDiff> diffs;
    detail::compare_json(want, got, "", name, diffs);
    return diffs;
}

// The same for two Letters, compared as to_json writes them, so that a field added to the
// record is compared without touching this file. The two parsers hold the two documents (a
// parser's elements live until its next parse); callers keep them to reuse their buffers.
inline std::vector<FieldDiff> compare_letters(const Letter& want, const Letter& got,
                                              simdjson::dom::parser& want_parser,
                                              simdjson::dom::parser& got_parser) {
    const std::string want_json = to_json(want);
    const std::string got_json = to_json(got);
    simdjson::dom::element w;
    simdjson::dom::element g;
    if (want_parser.parse(want_json).get(w) || got_parser.parse(got_json).get(g)) {
        return {{"(record)", want.id, want_json, "to_json gave invalid JSON: " + got_json}};
    }
    return compare_records(w, g, want.id);
}

}  // namespace imrdex::testing
