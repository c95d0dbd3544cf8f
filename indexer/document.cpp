// Builds the Xapian item documents of a letter from the schema tables (imrdex/core/schema.hpp):
// facet terms and slots, ranges, JSON data, and positional stemmed free text from a fast
// tokenizer with a stem cache.
#include "imrdex/index/document.hpp"

#include <xapian/unicode.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "imrdex/core/json.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/core/utf8.hpp"
#include "imrdex/extract/facet_value.hpp"

namespace imrdex {
namespace {

// Xapian refuses terms longer than about 245 bytes; boolean values that long carry no use.
constexpr std::size_t kMaxTermBytes = 240;
// TermGenerator's default: longer words are skipped (they are base64, URLs, garbage).
constexpr std::size_t kMaxWordBytes = 64;
// The stem cache is cleared past this many entries, bounding memory on odd corpora.
constexpr std::size_t kMaxCachedStems = std::size_t{1} << 20;

// ASCII fast path of Xapian::Unicode::is_wordchar: letters, digits and '_'.
struct AsciiTable {
    bool word[128] = {};
    AsciiTable() {
        for (int c = '0'; c <= '9'; ++c) word[c] = true;
        for (int c = 'a'; c <= 'z'; ++c) word[c] = true;
        for (int c = 'A'; c <= 'Z'; ++c) word[c] = true;
        word[static_cast<int>('_')] = true;
    }
};
const AsciiTable kAscii;

bool is_word(unsigned cp) {
    return cp < 128 ? kAscii.word[cp] : Xapian::Unicode::is_wordchar(cp);
}

bool is_digit(unsigned cp) {
    return cp < 128 ? (cp >= '0' && cp <= '9')
                    : Xapian::Unicode::get_category(cp) ==
                          Xapian::Unicode::DECIMAL_DIGIT_NUMBER;
}

unsigned lower(unsigned cp) {
    if (cp < 128) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
    return Xapian::Unicode::tolower(cp);
}

void append_cp(std::string& s, unsigned cp) {
    if (cp < 128) s.push_back(static_cast<char>(cp));
    else utf8::append(s, cp);
}

constexpr unsigned kIgnore = ~0u;

// Characters allowed inside a word between two word characters, as Xapian's TermGenerator and
// QueryParser allow them ("o'brien", "at&t"; "0.5", "1,000" between digits). Zero-width
// characters are dropped without splitting.
unsigned infix(unsigned cp, bool between_digits) {
    if (cp >= 0x200b && (cp <= 0x200d || cp == 0x2060 || cp == 0xfeff)) return kIgnore;
    if (between_digits) {
        switch (cp) {
            case ',': case '.': case ';': case 0x037e: case 0x0589: case 0x060d: case 0x07f8:
            case 0x2044: case 0xfe10: case 0xfe13: case 0xfe14:
                return cp;
            default: return 0;
        }
    }
    if (cp == '\'' || cp == '&' || cp == 0xb7 || cp == 0x5f4 || cp == 0x2027) return cp;
    if (cp == 0x2019 || cp == 0x201b) return '\'';
    return 0;
}

struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

}  // namespace

double date_number(std::string_view iso) {
    auto digits = [&](std::size_t pos, std::size_t n, int& out) {
        if (pos + n > iso.size()) return false;
        out = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (iso[i] < '0' || iso[i] > '9') return false;
            out = out * 10 + (iso[i] - '0');
        }
        return true;
    };
    int year = 0;
    int month = 0;
    int day = 0;
    if (!digits(0, 4, year) || year == 0) return 0;
    if (iso.size() == 4) return year * 10000.0;
    if (iso.size() < 7 || iso[4] != '-' || !digits(5, 2, month) || month < 1 || month > 12) return 0;
    if (iso.size() == 7) return year * 10000.0 + month * 100.0;
    if (iso.size() != 10 || iso[7] != '-' || !digits(8, 2, day) || day < 1 || day > 31) return 0;
    return year * 10000.0 + month * 100.0 + day;
}

struct DocumentBuilder::Impl {
    Xapian::Stem stemmer{"english"};
    std::unordered_map<std::string, std::string, TransparentHash, std::equal_to<>> stems;
    std::string word;
    std::string term;
    std::string pair;       // pair prefix + previous stem + ' ': the next word completes it
    bool pair_open = false;  // `pair` holds a previous word of the current field
    bool word_pairs = false;

    const std::string& stem(const std::string& w) {
        auto it = stems.find(std::string_view(w));
        if (it != stems.end()) return it->second;
        if (stems.size() >= kMaxCachedStems) stems.clear();
        return stems.emplace(w, stemmer(w)).first->second;
    }

    void emit(Xapian::Document& doc, std::string_view prefix, std::string_view pair_prefix,
              Xapian::termpos& pos) {
        if (word.size() > kMaxWordBytes) return;
        const std::string& s = stem(word);
        if (s.empty()) return;
        term.assign(prefix);
        term += s;
        doc.add_posting(term, ++pos);
        // Pairs follow positions: a skipped word (too long) does not break one, as it does not
        // break a phrase either.
        if (pair_prefix.empty()) return;
        if (pair_open) {
            pair += s;
            doc.add_term(pair);
        }
        pair.assign(pair_prefix);
        pair_open = true;
        pair += s;
        pair += ' ';
    }

    // Splits `text` into words the way Xapian's TermGenerator does (so the QueryParser on the
    // search side makes the same terms), lower-cases them, and posts each word's English stem
    // under `prefix` at consecutive positions (STEM_ALL: no unstemmed or Z-prefixed copies),
    // and, if enabled, the word pairs of the field (schema::pair_prefix).
    void index_text(Xapian::Document& doc, std::string_view text, std::string_view prefix,
                    Xapian::termpos& pos) {
        const std::string_view pair_prefix = word_pairs ? schema::pair_prefix(prefix) : "";
        pair_open = false;
        const std::size_t n = text.size();
        std::size_t i = 0;
        std::size_t len = 0;
        while (i < n) {
            // Skip to the start of a word.
            unsigned cp = utf8::decode(text, i, len);
            if (!is_word(cp)) {
                i += len;
                continue;
            }
            word.clear();
            for (;;) {
                unsigned prev = 0;
                // A run of word characters.
                while (i < n) {
                    cp = utf8::decode(text, i, len);
                    if (!is_word(cp)) break;
                    append_cp(word, lower(cp));
                    prev = cp;
                    i += len;
                }
                if (i >= n) break;
                // One infix character joins two runs ("don't", "3.5").
                std::size_t next_len = 0;
                if (i + len >= n) break;
                const unsigned next = utf8::decode(text, i + len, next_len);
                if (!is_word(next)) break;
                const unsigned inf = infix(cp, is_digit(prev) && is_digit(next));
                if (inf == 0) break;
                if (inf != kIgnore) append_cp(word, inf);
                i += len;
            }
            // Up to three trailing '+' or '#' ("c++", "c#") unless a word character follows.
            if (i < n && (text[i] == '+' || text[i] == '#')) {
                std::size_t j = i;
                while (j < n && j - i < 3 && (text[j] == '+' || text[j] == '#')) ++j;
                bool followed = false;
                if (j < n) {
                    std::size_t l2 = 0;
                    followed = is_word(utf8::decode(text, j, l2));
                }
                if (!followed) {
                    word.append(text.data() + i, j - i);
                    i = j;
                }
            }
            emit(doc, prefix, pair_prefix, pos);
        }
    }

    static void boolean(Xapian::Document& doc, std::string_view prefix, std::string_view value) {
        if (value.empty() || prefix.size() + value.size() > kMaxTermBytes) return;
        std::string t(prefix);
        t += value;
        doc.add_boolean_term(t);
    }
};

DocumentBuilder::DocumentBuilder(bool word_pairs) : impl_(std::make_shared<Impl>()) {
    impl_->word_pairs = word_pairs;
}

std::vector<ItemDocument> DocumentBuilder::build(const Letter& letter) {
    namespace s = schema;
    Impl& d = *impl_;
    std::vector<ItemDocument> out;
    out.reserve(letter.items.size());
    std::string value;                // one facet value, normalised
    std::vector<std::string> values;  // a multi-valued facet's values, normalised
    std::string joined;               // their slot value
    std::string facets;               // kSlotFacets

    for (std::size_t n = 0; n < letter.items.size(); ++n) {
        const Item& item = letter.items[n];
        const bool first = n == 0;
        ItemDocument result;
        result.unique_term = std::string(s::kUnique) + letter.id + "/" + std::to_string(n + 1);
        Xapian::Document& doc = result.document;
        if (result.unique_term.size() <= kMaxTermBytes) doc.add_boolean_term(result.unique_term);
        if (first) Impl::boolean(doc, s::kFirstItem, "1");

        // Facets: a boolean filter term per value, the value slot, and every slot in kSlotFacets.
        facets.clear();
        for (const s::Facet& f : s::kFacets) {
            const std::string* slot = &value;
            if (!f.multi_valued) {
                s::normalise(f.norm, f.one(letter, item), value);
                Impl::boolean(doc, f.prefix, value);
                if (f.parts != 0 && value.find(f.parts) != std::string::npos) {
                    std::size_t start = 0;
                    while (start <= value.size()) {
                        const std::size_t end = std::min(value.find(f.parts, start), value.size());
                        Impl::boolean(doc, f.prefix,
                                      std::string_view(value).substr(start, end - start));
                        start = end + 1;
                    }
                }
            } else {
                const std::vector<std::string>& raw = f.many(letter, item);
                values.resize(raw.size());
                std::size_t kept = 0;
                for (const std::string& r : raw) {
                    s::normalise(f.norm, r, values[kept]);
                    if (!values[kept].empty()) ++kept;
                }
                values.resize(kept);
                if (kept == 0 && !f.none.empty()) values.emplace_back(f.none);
                std::sort(values.begin(), values.end());
                values.erase(std::unique(values.begin(), values.end()), values.end());
                joined.clear();
                for (const std::string& v : values) {
                    Impl::boolean(doc, f.prefix, v);
                    if (!joined.empty()) joined += '|';
                    joined += v;
                }
                slot = &joined;
            }
            if (!slot->empty()) doc.add_value(f.slot, *slot);
            facets += *slot;
            facets += s::kFacetEnd;
        }
        doc.add_value(s::kSlotFacets, facets);

        // Ranges and sorting.
        for (const s::RangeField& f : s::kRangeFields) {
            const double v =
                f.kind == s::RangeKind::number ? f.number(letter) : date_number(f.date(letter));
            const bool known = f.kind == s::RangeKind::number ? v >= 0 : v > 0;
            if (known) doc.add_value(f.slot, Xapian::sortable_serialise(v));
        }
        doc.add_value(s::kSlotItemNumber, Xapian::sortable_serialise(static_cast<double>(n + 1)));

        // Positional free text.
        for (const s::TextField& f : s::kTextFields) {
            if (f.first_item_only && !first) continue;
            const s::TextParts parts = f.text(letter, item);
            Xapian::termpos pos = 0;
            d.index_text(doc, parts.first, f.prefix, pos);
            if (!parts.second.empty()) {
                pos += s::kPartGap;
                d.index_text(doc, parts.second, f.prefix, pos);
            }
        }

        // What a hit shows.
        std::string data;
        data.reserve(512 + item.rationale.size() + (first ? letter.summary.size() : 0));
        JsonWriter w(data);
        w.begin_object();
        w.field("id", letter.id).field("item", static_cast<std::int64_t>(n + 1));
        w.field("request", item.request);
        if (!item.original_request.empty()) w.field("original_request", item.original_request);
        w.field("decision", to_string(item.decision)).field("category", item.category);
        w.field("drug", item.drug).field("drug_class", item.drug_class);
        w.field("date_assigned", letter.date_assigned).field("decision_date", letter.decision_date);
        w.field("injury_date", letter.injury_date);
        w.key("age");
        if (letter.age >= 0) w.value(letter.age); else w.null();
        w.field("sex", letter.sex).field("states", letter.states);
        w.field("specialties", letter.specialties).field("source", letter.source);
        w.field("rationale", item.rationale);
        if (first) w.field("summary", letter.summary);
        w.end_object();
        doc.set_data(data);
        out.push_back(std::move(result));
    }
    return out;
}

}  // namespace imrdex
