// The one facet-value normaliser (schema::Norm): the form in which the indexer stores a facet
// value and in which the query parser looks it up, so the two sides cannot drift apart. Here
// rather than in core because state names are the extraction library's (parse::state_code).
#pragma once

#include <string>
#include <string_view>

#include "imrdex/core/schema.hpp"
#include "imrdex/extract/parser.hpp"

namespace imrdex::schema {

// Sets `out` to the index form of `raw` (reusing its buffer: the indexer calls this for every
// facet value of every item).
inline void normalise(Norm norm, std::string_view raw, std::string& out) {
    out.clear();
    if (norm == Norm::exact) {
        out.assign(raw);
        return;
    }
    bool space = false;
    for (char c : raw) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (norm == Norm::state) {
        const std::string_view code = parse::state_code(out);
        if (!code.empty()) {
            out.assign(code);
            for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
    }
}

[[nodiscard]] inline std::string normalise(Norm norm, std::string_view raw) {
    std::string out;
    normalise(norm, raw, out);
    return out;
}

}  // namespace imrdex::schema
