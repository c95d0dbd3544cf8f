// The reviewer-specialty vocabulary: parsing specialties.tsv and looking up a written specialty.
#include "imrdex/extract/specialties.hpp"

#include <string>

#include "parse_util.hpp"

namespace imrdex::embedded {
extern const std::string_view specialties_tsv;
}

namespace imrdex {

std::string specialty_key(std::string_view name) {
    std::string key;
    key.reserve(name.size() + 8);
    bool gap = false;  // a separator since the last word character
    for (const char c : name) {
        if (parse::is_alnum(c)) {
            if (gap && !key.empty()) key += ' ';
            gap = false;
            key += parse::lower(c);
        } else if (c == '&') {
            if (!key.empty()) key += ' ';
            key += "and";
            gap = true;
        } else {
            gap = true;
        }
    }
    return key;
}

SpecialtyVocabulary SpecialtyVocabulary::parse(std::string_view tsv, std::string_view origin) {
    SpecialtyVocabulary vocab;
    std::unordered_map<std::string, std::size_t> line_of;  // key -> line of first definition
    const auto add = [&](std::string_view name, std::size_t index, std::size_t line) {
        if (name.empty()) parse::data_error(origin, line, "empty name");
        if (name.find_first_of(",;") != std::string_view::npos) {
            parse::data_error(origin, line,
                              "'" + std::string(name) + "' holds ',' or ';', where lists split");
        }
        std::string key = specialty_key(name);
        if (key.empty()) {
            parse::data_error(origin, line, "'" + std::string(name) + "' has no letters or digits");
        }
        if (const auto it = line_of.find(key); it != line_of.end()) {
            parse::data_error(origin, line,
                              "'" + std::string(name) + "' is the same name as on line " +
                                  std::to_string(it->second));
        }
        line_of.emplace(key, line);
        vocab.by_key_.emplace(std::move(key), index);
    };
    for (const parse::DataLine& data : parse::data_lines(tsv).lines) {
        const std::vector<std::string_view>& cols = data.fields;
        if (cols.size() > 2) {
            parse::data_error(origin, data.number,
                              "expected 1 or 2 tab-separated columns (specialty, also), found " +
                                  std::to_string(cols.size()));
        }
        const std::string_view name = cols[0];
        // The canonical name is stored as it is written: it must already be in record form.
        if (name != parse::to_lower(parse::collapse(name))) {
            parse::data_error(
                origin, data.number,
                "specialty '" + std::string(name) + "' is not lower-case with single spaces");
        }
        const std::size_t index = vocab.names_.size();
        add(name, index, data.number);
        vocab.names_.emplace_back(name);
        if (cols.size() < 2 || cols[1].empty()) continue;
        std::string_view also = cols[1];
        for (;;) {
            const std::size_t bar = also.find('|');
            add(parse::trim_blanks(also.substr(0, bar)), index, data.number);
            if (bar == std::string_view::npos) break;
            also.remove_prefix(bar + 1);
        }
    }
    if (vocab.names_.empty()) parse::data_error(origin, 0, "no specialty");
    return vocab;
}

const SpecialtyVocabulary& SpecialtyVocabulary::builtin() {
    static const SpecialtyVocabulary vocab =
        parse(embedded::specialties_tsv, "builtin:specialties.tsv");
    return vocab;
}

std::string_view SpecialtyVocabulary::canonical(std::string_view written) const {
    const auto it = by_key_.find(specialty_key(written));
    return it == by_key_.end() ? std::string_view{} : std::string_view(names_[it->second]);
}

}  // namespace imrdex
