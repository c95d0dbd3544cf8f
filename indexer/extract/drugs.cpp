// The drug vocabulary: parsing drugs.tsv and finding the first drug name in a request.
#include "imrdex/extract/drugs.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "imrdex/core/errors.hpp"
#include "parse_util.hpp"

namespace imrdex::embedded {
extern const std::string_view drugs_tsv;
}

namespace imrdex {

namespace {

using parse::data_error;
using parse::data_lines;
// ASCII only on purpose: vocabulary names are ASCII and a UTF-8 byte must never form a word.
using parse::is_alnum;
using parse::is_alpha;
using parse::is_digit;
using parse::lower;

// Characters that may stand between the words of a multi-word name in a request:
// "Lidoderm patch", "Lidoderm-patch", "hydrocodone/APAP", "Tylenol #3".
bool is_gap(char c) noexcept {
    return c == ' ' || c == '\t' || c == '-' || c == '/' || c == '#' || c == '.' || c == '_';
}
constexpr std::size_t kMaxGap = 3;

std::size_t skip_gap(std::string_view r, std::size_t p) noexcept {
    for (std::size_t k = 0; k < kMaxGap && p < r.size() && is_gap(r[p]); ++k) ++p;
    return p;
}

// Lower-case with whitespace runs collapsed to one space.
std::string normalize_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool space = false;
    for (char c : parse::trim_blanks(s)) {
        if (c == ' ' || c == '\t') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += lower(c);
    }
    return out;
}

// Words of a name as the matcher sees them: runs of letters or runs of digits.
std::vector<std::string> name_tokens(std::string_view name) {
    std::vector<std::string> tokens;
    std::size_t i = 0;
    while (i < name.size()) {
        if (!is_alnum(name[i])) {
            ++i;
            continue;
        }
        const bool digit = is_digit(name[i]);
        const std::size_t start = i;
        while (i < name.size() && is_alnum(name[i]) && is_digit(name[i]) == digit) ++i;
        tokens.emplace_back(name.substr(start, i - start));
    }
    return tokens;
}

// Matches the lower-case `name` at `pos` of `r` (the start of a request word). Returns the end of
// the match, or npos. Separators in the name accept up to kMaxGap gap characters (or none) in the
// request; a letter/digit change inside a name word accepts a hyphen ("b12" ~ "B-12").
std::size_t match_at(std::string_view name, std::string_view r, std::size_t pos) noexcept {
    std::size_t p = pos;
    std::size_t i = 0;
    while (i < name.size()) {
        const char c = name[i];
        if (!is_alnum(c)) {
            while (i < name.size() && !is_alnum(name[i])) ++i;
            p = skip_gap(r, p);
            continue;
        }
        if (i > 0 && is_alnum(name[i - 1]) && is_digit(name[i - 1]) != is_digit(c) &&
            p < r.size() && r[p] == '-') {
            ++p;  // "B-12" for "b12"; not a space: "Vitamin D 2.5mg" is not vitamin d2
        }
        if (p >= r.size() || lower(r[p]) != c) return std::string_view::npos;
        ++p;
        ++i;
    }
    // A name must end on a word boundary, except that digits may follow a name ending in a
    // letter ("Norco10/325") and so may a plural ending ("Lidoderm patches", "Norcos").
    if (is_alpha(name.back()) && p < r.size() && lower(r[p]) == 's' &&
        (p + 1 >= r.size() || !is_alpha(r[p + 1]))) {
        ++p;
    } else if (is_alpha(name.back()) && p + 1 < r.size() && lower(r[p]) == 'e' &&
               lower(r[p + 1]) == 's' && (p + 2 >= r.size() || !is_alpha(r[p + 2]))) {
        p += 2;
    }
    if (p < r.size()) {
        const char last = name.back();
        const char next = r[p];
        if ((is_alpha(last) && is_alpha(next)) || (is_digit(last) && is_digit(next))) {
            return std::string_view::npos;
        }
        // A name ending in a digit must not end inside a number: "Tylenol 3.5" is not "tylenol 3".
        if (is_digit(last) && (next == '.' || next == ',') && p + 1 < r.size() &&
            is_digit(r[p + 1])) {
            return std::string_view::npos;
        }
    }
    return p;
}

}  // namespace

DrugVocabulary DrugVocabulary::parse(std::string_view tsv, std::string_view origin) {
    DrugVocabulary vocab;
    std::unordered_map<std::string, std::size_t> seen;  // token key -> line of first definition
    const parse::DataLines file = data_lines(tsv);
    for (const parse::DataLine& data : file.lines) {
        const std::size_t line_no = data.number;
        const std::vector<std::string_view>& cols = data.fields;
        if (cols.size() != 4) {
            data_error(origin, line_no,
                       "expected 4 tab-separated columns (name, ingredients, class, kind), found " +
                           std::to_string(cols.size()));
        }
        static constexpr const char* kColumn[] = {"name", "ingredients", "class", "kind"};
        for (std::size_t c = 0; c < cols.size(); ++c) {
            if (cols[c].empty()) data_error(origin, line_no, std::string("empty ") + kColumn[c]);
        }

        DrugEntry entry;
        entry.name = normalize_text(cols[0]);
        const std::vector<std::string> tokens = name_tokens(entry.name);
        if (tokens.empty()) data_error(origin, line_no, "name has no letters or digits");

        std::vector<std::string> parts;
        std::string_view ing = cols[1];
        while (true) {
            const std::size_t slash = ing.find('/');
            const std::string part = normalize_text(ing.substr(0, slash));
            if (part.empty())
                data_error(origin, line_no, "empty ingredient in '" + std::string(cols[1]) + "'");
            parts.push_back(part);
            if (slash == std::string_view::npos) break;
            ing.remove_prefix(slash + 1);
        }
        std::sort(parts.begin(), parts.end());
        for (std::size_t k = 0; k < parts.size(); ++k) {
            if (k > 0) entry.drug += '/';
            entry.drug += parts[k];
        }
        entry.drug_class = normalize_text(cols[2]);

        const std::string kind = normalize_text(cols[3]);
        if (kind == "brand") {
            entry.brand = true;
        } else if (kind != "generic") {
            data_error(origin, line_no,
                       "kind must be 'brand' or 'generic', not '" + std::string(cols[3]) + "'");
        }

        // Names that differ only in separators match the same requests, so they are duplicates.
        std::string key;
        for (const auto& t : tokens) {
            if (!key.empty()) key += ' ';
            key += t;
        }
        if (const auto [it, inserted] = seen.emplace(key, line_no); !inserted) {
            data_error(origin, line_no,
                       "duplicate name '" + entry.name + "' (first defined on line " +
                           std::to_string(it->second) + ")");
        }

        const std::size_t index = vocab.entries_.size();
        vocab.by_first_word_[tokens.front()].push_back(index);
        // "MSContin" / "Lidodermpatch": the leading letter words written together form one request
        // word, so that joined form is a key as well.
        std::string joined = tokens.front();
        std::size_t n_letters = 1;
        while (n_letters < tokens.size() && is_alpha(tokens[n_letters].front()) &&
               is_alpha(tokens[n_letters - 1].front())) {
            joined += tokens[n_letters];
            ++n_letters;
        }
        if (n_letters > 1) vocab.by_first_word_[joined].push_back(index);
        vocab.entries_.push_back(std::move(entry));
    }
    if (vocab.entries_.empty()) data_error(origin, file.count, "no drug entries");

    // Longest name first, so the first candidate that matches is the longest match.
    for (auto& [word, indices] : vocab.by_first_word_) {
        std::stable_sort(indices.begin(), indices.end(), [&](std::size_t a, std::size_t b) {
            return vocab.entries_[a].name.size() > vocab.entries_[b].name.size();
        });
    }
    return vocab;
}

DrugVocabulary DrugVocabulary::from_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot open drug vocabulary '" + path + "'");
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) throw IoError("cannot read drug vocabulary '" + path + "'");
    return parse(buf.str(), path);
}

const DrugVocabulary& DrugVocabulary::builtin() {
    static const DrugVocabulary vocab = parse(embedded::drugs_tsv, "builtin:drugs.tsv");
    return vocab;
}

std::optional<DrugMatch> DrugVocabulary::match(std::string_view request) const {
    std::string key;  // reused: short words stay in the small-string buffer, no allocation
    std::size_t i = 0;
    const std::size_t n = request.size();
    while (i < n) {
        if (!is_alnum(request[i])) {
            ++i;
            continue;
        }
        const std::size_t start = i;
        const bool digit = is_digit(request[i]);
        while (i < n && is_alnum(request[i]) && is_digit(request[i]) == digit) ++i;
        key.clear();
        for (std::size_t k = start; k < i; ++k) key += lower(request[k]);
        const auto it = by_first_word_.find(key);
        if (it == by_first_word_.end()) continue;
        for (const std::size_t index : it->second) {
            const DrugEntry& entry = entries_[index];
            const std::size_t end = match_at(entry.name, request, start);
            if (end != std::string_view::npos) return DrugMatch{&entry, start, end - start};
        }
    }
    return std::nullopt;
}

}  // namespace imrdex
