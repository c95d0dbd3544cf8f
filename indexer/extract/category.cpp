// Request classification (category of a disputed item) and unknown-drug-word detection.
//
// The category (imrdex::Category) is part of the extraction contract. The keywords of each group,
// and what each group means, are data: data/categories.tsv. The rules that weigh them are here:
//
// A request is lower-cased and split into words (runs of ASCII letters/digits). A group is "hit"
// at the first word where one of its keywords starts; psych* / neuropsych* words (not
// psychotrop*, psychopharm*) also hit psychological services, and words ending -ectomy, -otomy,
// -plasty, -desis, -rrhaphy, -scopy, -scopic also hit surgery. An imaging keyword followed by
// "guided"/"guidance" does not count ("ultrasound guided injection" is an injection), nor does a
// surgery keyword right after "post"/"pre"/"status" ("post surgical therapy").
//
// Decision, first rule that applies:
//  1. medication management -> office visit; manipulation under anesthesia -> surgery.
//  2. Among psychological, physical therapy, chiropractic, acupuncture, injection, imaging,
//     laboratory, dme -- and surgery, unless the request also names an office-visit word (then it
//     is a surgical consultation) or a vocabulary drug (then it is post-operative medication) --
//     the group whose keyword occurs first in the request wins ("TENS unit after physical
//     therapy" -> dme; "arthroscopy with post-operative brace" -> surgery). Ties go to the order
//     listed here, injection before surgery ("rhizotomy" -> injection).
//  3. explicit other -> other.
//  4. has_drug -> pharmaceutical.
//  5. office visit word -> office visit.
//  6. surgery word -> surgery.
//  7. pharmaceutical form, or a strength ("10mg", "5%", "240g", "20mg/ml", "100 units") or a
//     quantity ("#90", "# 30", "qty") -> pharmaceutical.
//  8. other.
#include "imrdex/extract/category.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "imrdex/extract/drugs.hpp"
#include "parse_util.hpp"

namespace imrdex::embedded {
extern const std::string_view categories_tsv;
}

namespace imrdex {

enum class CategoryRules::Group : std::uint8_t {
    // Competing groups of rule 2, in tie-break order.
    psych,
    pt,
    chiro,
    acupuncture,
    injection,
    imaging,
    lab,
    dme,
    surgery,
    // The rest.
    office,
    other,
    pharm_form,
    med_management,
    mua,
    count
};

// First word index at which each group has a keyword (kNone: none).
class CategoryRules::Hits {
public:
    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    Hits() { first_.fill(kNone); }
    void hit(Group g, std::size_t at) noexcept {
        std::size_t& slot = first_[static_cast<std::size_t>(g)];
        if (at < slot) slot = at;
    }
    [[nodiscard]] std::size_t at(Group g) const noexcept {
        return first_[static_cast<std::size_t>(g)];
    }
    [[nodiscard]] bool has(Group g) const noexcept { return at(g) != kNone; }

private:
    std::array<std::size_t, static_cast<std::size_t>(Group::count)> first_;
};

namespace {

using parse::is_alnum;
using parse::is_alpha;
using parse::is_digit;
using parse::lower;

// The request lower-cased, and its words (runs of letters/digits) as views into that copy.
struct Words {
    std::string text;
    std::vector<std::string_view> words;
    Words() = default;
    explicit Words(std::string_view request) { assign(request); }
    // Reuses the buffers: the classifier runs for every item of every letter.
    void assign(std::string_view request) {
        text.assign(request.size(), ' ');
        words.clear();
        std::transform(request.begin(), request.end(), text.begin(), lower);
        const std::string_view t = text;
        std::size_t i = 0;
        while (i < t.size()) {
            if (!is_alnum(t[i])) {
                ++i;
                continue;
            }
            const std::size_t start = i;
            while (i < t.size() && is_alnum(t[i])) ++i;
            words.push_back(t.substr(start, i - start));
        }
    }
};

bool ends_with(std::string_view s, std::string_view suffix) noexcept {
    return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool is_psych_word(std::string_view w) noexcept {
    if (starts_with(w, "neuropsych")) return true;
    if (!starts_with(w, "psych")) return false;
    return !starts_with(w, "psychotrop") && !starts_with(w, "psychopharm");
}

bool is_surgery_word(std::string_view w) noexcept {
    static constexpr std::string_view kSuffixes[] = {"ectomy", "ectomies", "otomy",  "otomies",
                                                     "plasty", "plasties", "desis",  "rrhaphy",
                                                     "scopy",  "scopic",   "scopies"};
    for (const std::string_view s : kSuffixes) {
        if (ends_with(w, s)) return true;
    }
    return false;
}

// A keyword as written in categories.tsv: lower-case ASCII letters and digits, words separated
// by single spaces. Anything else could never equal the words of a request.
bool is_keyword_text(std::string_view k) noexcept {
    if (k.empty() || k.front() == ' ' || k.back() == ' ') return false;
    for (std::size_t i = 0; i < k.size(); ++i) {
        const char c = k[i];
        if (c == ' ') {
            if (k[i + 1] == ' ') return false;
        } else if (!((c >= 'a' && c <= 'z') || is_digit(c))) {
            return false;
        }
    }
    return true;
}

bool is_unit_start(std::string_view t, std::size_t p) noexcept {
    static constexpr std::string_view kUnits[] = {"mcg",   "mg",   "gm", "g",  "ml",
                                                  "units", "unit", "iu", "meq"};
    if (p < t.size() && t[p] == '%') return true;
    for (const std::string_view u : kUnits) {
        if (t.substr(p, u.size()) == u) {
            const std::size_t end = p + u.size();
            if (end >= t.size() || !is_alpha(t[end])) return true;
        }
    }
    return false;
}

// Position of the first strength ("10mg", "10/325 mg", "5%") or quantity ("#90", "qty") in the
// lower-cased text, or npos.
std::size_t find_prescription_mark(std::string_view t) noexcept {
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '#') {
            std::size_t p = i + 1;
            while (p < t.size() && t[p] == ' ') ++p;
            if (p < t.size() && is_digit(t[p])) return i;
            continue;
        }
        if (c == 'q' && t.substr(i, 3) == "qty" && (i == 0 || !is_alpha(t[i - 1])) &&
            (i + 3 >= t.size() || !is_alpha(t[i + 3]))) {
            return i;
        }
        if (is_digit(c) && (i == 0 || !is_digit(t[i - 1]))) {
            std::size_t p = i;
            while (p < t.size() && (is_digit(t[p]) || t[p] == '.' || t[p] == '/' || t[p] == ',')) {
                ++p;
            }
            if (p < t.size() && t[p] == ' ') ++p;
            if (is_unit_start(t, p)) return i;
        }
    }
    return std::string_view::npos;
}

}  // namespace

CategoryRules CategoryRules::parse(std::string_view tsv, std::string_view origin) {
    // The group names of categories.tsv; the Category each group stands for is in classify().
    static constexpr std::pair<std::string_view, Group> kGroupNames[] = {
        {"psychological services", Group::psych},
        {"physical therapy", Group::pt},
        {"chiropractic", Group::chiro},
        {"acupuncture", Group::acupuncture},
        {"injection", Group::injection},
        {"imaging", Group::imaging},
        {"laboratory", Group::lab},
        {"dme", Group::dme},
        {"surgery", Group::surgery},
        {"office visit", Group::office},
        {"other", Group::other},
        {"pharmaceutical form", Group::pharm_form},
        {"medication management", Group::med_management},
        {"manipulation under anesthesia", Group::mua},
    };
    CategoryRules rules;
    std::unordered_map<std::string_view, std::size_t> seen;  // keyword -> line of first definition
    const parse::DataLines file = parse::data_lines(tsv);
    for (const parse::DataLine& data : file.lines) {
        const std::size_t line_no = data.number;
        if (data.fields.size() != 2) {
            parse::data_error(origin, line_no,
                              "expected 2 tab-separated columns (keyword, group), found " +
                                  std::to_string(data.fields.size()));
        }
        const std::string_view keyword = data.fields[0];
        const std::string_view group_name = data.fields[1];
        if (keyword.empty()) parse::data_error(origin, line_no, "empty keyword");
        if (group_name.empty()) parse::data_error(origin, line_no, "empty group");
        if (!is_keyword_text(keyword)) {
            parse::data_error(
                origin, line_no,
                "keyword '" + std::string(keyword) +
                    "' is not lower-case ASCII letters and digits in words separated by single "
                    "spaces (requests are matched word by word: write \"x-ray\" as \"x ray\")");
        }
        const auto g = std::find_if(std::begin(kGroupNames), std::end(kGroupNames),
                                    [&](const auto& named) { return named.first == group_name; });
        if (g == std::end(kGroupNames)) {
            std::string known;
            for (const auto& named : kGroupNames) {
                known += known.empty() ? "" : ", ";
                known += named.first;
            }
            parse::data_error(
                origin, line_no,
                "unknown group '" + std::string(group_name) + "' (one of: " + known + ")");
        }
        if (const auto [it, inserted] = seen.emplace(keyword, line_no); !inserted) {
            parse::data_error(origin, line_no,
                              "duplicate keyword '" + std::string(keyword) +
                                  "' (first defined on line " + std::to_string(it->second) + ")");
        }

        Phrase phrase{{}, g->second};
        std::size_t start = 0;
        std::string_view first;
        while (start <= keyword.size()) {
            std::size_t sp = keyword.find(' ', start);
            if (sp == std::string_view::npos) sp = keyword.size();
            const std::string_view word = keyword.substr(start, sp - start);
            if (start == 0) {
                first = word;
            } else {
                phrase.rest.emplace_back(word);
            }
            start = sp + 1;
        }
        rules.index_[std::string(first)].push_back(std::move(phrase));
        ++rules.keywords_;
    }
    if (rules.keywords_ == 0) parse::data_error(origin, file.count, "no keywords");
    // Longer phrases first, so a word's longest phrase is the one recorded.
    for (auto& [word, phrases] : rules.index_) {
        std::stable_sort(phrases.begin(), phrases.end(), [](const Phrase& a, const Phrase& b) {
            return a.rest.size() > b.rest.size();
        });
    }
    return rules;
}

const CategoryRules& CategoryRules::builtin() {
    static const CategoryRules rules = parse(embedded::categories_tsv, "builtin:categories.tsv");
    return rules;
}

CategoryRules::Hits CategoryRules::find_groups(const std::vector<std::string_view>& words) const {
    Hits hits;
    for (std::size_t w = 0; w < words.size(); ++w) {
        const std::string_view word = words[w];
        if (is_psych_word(word)) hits.hit(Group::psych, w);
        if (is_surgery_word(word)) hits.hit(Group::surgery, w);
        const auto it = index_.find(word);
        if (it == index_.end()) continue;
        for (const Phrase& p : it->second) {
            if (w + p.rest.size() >= words.size()) continue;  // phrase runs past the end
            bool all = true;
            for (std::size_t k = 0; k < p.rest.size() && all; ++k) {
                all = words[w + 1 + k] == p.rest[k];
            }
            if (!all) continue;
            const std::size_t after = w + 1 + p.rest.size();
            if (p.group == Group::imaging && after < words.size() &&
                (words[after] == "guided" || words[after] == "guidance")) {
                continue;  // the imaging guides another procedure
            }
            if (p.group == Group::surgery && w > 0 &&
                (words[w - 1] == "post" || words[w - 1] == "pre" || words[w - 1] == "status")) {
                continue;  // "post surgical": the timing of something else
            }
            hits.hit(p.group, w);
        }
    }
    return hits;
}

Category CategoryRules::classify(std::string_view request, bool has_drug) const {
    thread_local Words w;
    w.assign(request);
    const Hits hits = find_groups(w.words);

    if (hits.has(Group::med_management)) return Category::office_visit;
    if (hits.has(Group::mua)) return Category::surgery;

    static constexpr std::pair<Group, Category> kCompeting[] = {
        {Group::psych, Category::psychological_services},
        {Group::pt, Category::physical_therapy},
        {Group::chiro, Category::chiropractic},
        {Group::acupuncture, Category::acupuncture},
        {Group::injection, Category::injection},
        {Group::imaging, Category::imaging},
        {Group::lab, Category::laboratory},
        {Group::dme, Category::dme},
        {Group::surgery, Category::surgery},
    };
    const bool surgery_competes = !hits.has(Group::office) && !has_drug;
    std::size_t best = Hits::kNone;
    Category best_category = Category::other;
    for (const auto& [group, category] : kCompeting) {
        if (group == Group::surgery && !surgery_competes) continue;
        if (hits.at(group) < best) {
            best = hits.at(group);
            best_category = category;
        }
    }
    if (best != Hits::kNone) return best_category;
    if (hits.has(Group::other)) return Category::other;
    if (has_drug) return Category::pharmaceutical;
    if (hits.has(Group::office)) return Category::office_visit;
    if (hits.has(Group::surgery)) return Category::surgery;
    if (hits.has(Group::pharm_form) || find_prescription_mark(w.text) != std::string_view::npos) {
        return Category::pharmaceutical;
    }
    return Category::other;
}

Category classify_category(std::string_view request, bool has_drug) {
    return CategoryRules::builtin().classify(request, has_drug);
}

std::vector<std::string> unknown_drug_words(std::string_view request, const DrugVocabulary& vocab) {
    std::vector<std::string> out;
    if (vocab.match(request)) return out;
    if (classify_category(request, false) != Category::pharmaceutical) return out;
    const Words w(request);
    const std::size_t mark = find_prescription_mark(w.text);
    if (mark == std::string_view::npos) return out;

    // Words that describe a prescription rather than name the drug.
    // clang-format off
    static constexpr std::string_view kGeneric[] = {
        "retrospective", "prospective", "retro", "request", "requested", "for", "of", "the", "and",
        "with", "in", "a", "an", "to", "per", "x", "tablet", "tablets", "tab", "tabs", "capsule",
        "capsules", "cap", "caps", "cream", "creams", "ointment", "gel", "lotion", "patch",
        "patches", "solution", "suspension", "spray", "syrup", "liquid", "powder", "drops",
        "suppository", "oral", "topical", "transdermal", "nasal", "er", "xr", "sr", "cr", "la",
        "xl", "dr", "ir", "ec", "od", "ds", "hcl", "hydrochloride", "sodium", "potassium",
        "calcium", "citrate", "sulfate", "acetate", "bitartrate", "maleate", "tartrate",
        "succinate", "mesylate", "besylate", "fumarate", "phosphate", "bromide", "chloride",
        "extended", "release", "delayed", "immediate", "base", "compound", "compounded", "unknown",
        "quantity", "qty", "dos", "date", "service", "medication", "medications", "prescription",
        "refill", "refills", "supply", "day", "days", "daily", "dose", "mg", "mcg", "ml", "gm",
        "unit", "units", "generic", "brand", "one", "two", "take", "use", "apply", "po", "bid",
        "tid", "qid", "prn", "qhs", "hs", "trial", "continued", "additional", "new", "left",
        "right", "bilateral", "percent", "strength", "pain", "relief", "start", "started",
        "continue", "begin", "given", "taking", "using", "prescribed", "was", "is", "were", "be",
        "said", "patient", "sample", "samples",
        // Body parts: fragments such as "bilateral lower extremities QTY: 2" name no drug.
        "lower", "upper", "extremity", "extremities", "spine", "lumbar", "cervical", "thoracic",
        "knee", "knees", "shoulder", "shoulders", "hip", "hips", "wrist", "hand", "hands", "elbow",
        "ankle", "foot", "feet", "neck", "back", "leg", "legs", "arm", "arms",
    };
    // clang-format on
    auto is_generic = [](std::string_view word) {
        for (const std::string_view g : kGeneric) {
            if (word == g) return true;
        }
        return false;
    };
    // The name is the run of words right before the strength: walk back from it, skipping form
    // words ("cream", "er") until the name starts, and stop at the first word that cannot be part
    // of it, so a sentence before the prescription is not reported.
    constexpr std::size_t kMaxNameWords = 3;
    constexpr std::size_t kMaxWordLength = 40;  // longer "words" are noise, not drug names
    std::size_t end = 0;
    while (end < w.words.size() &&
           static_cast<std::size_t>(w.words[end].data() - w.text.data()) < mark) {
        ++end;
    }
    for (std::size_t k = end; k-- > 0 && out.size() < kMaxNameWords;) {
        const std::string_view word = w.words[k];
        const bool usable = word.size() >= 2 && word.size() <= kMaxWordLength &&
                            std::all_of(word.begin(), word.end(), is_alpha) && !is_generic(word);
        if (usable) {
            out.emplace_back(word);
        } else if (!out.empty() || word.size() > kMaxWordLength) {
            break;
        }
    }
    std::reverse(out.begin(), out.end());
    return out;
}

}  // namespace imrdex
