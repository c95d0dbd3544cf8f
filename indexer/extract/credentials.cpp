// Parser pass: the reviewer's credentials (licensure states and specialties).
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "imrdex/extract/specialties.hpp"
#include "parse_util.hpp"
#include "passes.hpp"

namespace imrdex::parse {

namespace {

void add_states(Letter& l, std::string_view list) {
    for (std::string_view part : split_list(list)) {
        const std::string_view code = state_code(part);
        if (code.empty()) {
            warn(l.warnings, WarningCode::unknown_state, excerpt(part));
        } else {
            l.states.emplace_back(code);
        }
    }
}

// Records a specialty by its canonical name; one the vocabulary lacks is kept as written
// (lower-case) and reported, so a new board or a misread list shows in the warnings.
void add_specialty(Letter& l, std::string_view s, const SpecialtyVocabulary& vocab) {
    std::string v = to_lower(collapse(s));
    while (!v.empty() && (v.back() == '.' || v.back() == ',')) v.pop_back();
    if (v.empty()) return;
    if (const std::string_view name = vocab.canonical(v); !name.empty()) {
        v.assign(name);
    } else {
        warn(l.warnings, WarningCode::unknown_specialty, excerpt(v));
    }
    // Two ways of writing one specialty ("Endocrinology, Diabetes & Metabolism") count once.
    for (const std::string& have : l.specialties) {
        if (have == v) return;
    }
    l.specialties.push_back(std::move(v));
}

// Whether line `next` carries on the last specialty of `specs` (the list so far) rather than
// starting something else: that specialty ends on a connective ("Public Health &"), or it and
// the first name of `next` make one known specialty ("Occupational" + "Medicine").
bool continues_specialty(std::string_view specs, std::string_view next,
                         const SpecialtyVocabulary& vocab) {
    const std::size_t cut = specs.find_last_of(",;");
    const std::string_view last =
        trim(cut == std::string_view::npos ? specs : specs.substr(cut + 1));
    if (last.empty()) return false;
    if (last.back() == '&' || last.back() == '-' || last.back() == '/' ||
        iends_with(last, " and") || iends_with(last, " of") || iends_with(last, " in")) {
        return true;
    }
    const std::string_view first = trim(next.substr(0, next.find_first_of(",;")));
    if (first.empty()) return false;
    std::string joined(last);
    joined += ' ';
    joined += first;
    return vocab.known(joined);
}

void parse_sentence_credentials(Letter& l, std::string_view text,
                                const SpecialtyVocabulary& vocab) {
    const std::size_t bc = ifind(text, "Board Certified in ");
    if (bc != std::string_view::npos) {
        std::size_t b = bc + 19;
        std::size_t e = text.find('.', b);
        if (e == std::string_view::npos) e = text.size();
        std::string_view part = text.substr(b, e - b);
        const std::size_t lic = ifind(part, "is licensed");
        if (lic != std::string_view::npos) part = part.substr(0, lic);
        part = trim(part);
        if (iends_with(part, " and")) part = trim(part.substr(0, part.size() - 4));
        while (!part.empty() && part.back() == ',') part = trim(part.substr(0, part.size() - 1));
        // "X, has a subspecialty in Y" / "X and has a subspecialty in Y"
        for (;;) {
            const std::size_t sub = ifind(part, "subspecialt");
            if (sub == std::string_view::npos) break;
            std::string_view head = part.substr(0, sub);
            const std::size_t has = ifind(head, "has a");
            const std::size_t cut = has != std::string_view::npos ? has : head.size();
            std::string_view first = trim(head.substr(0, cut));
            if (iends_with(first, " and")) first = first.substr(0, first.size() - 4);
            while (!first.empty() && first.back() == ',') first.remove_suffix(1);
            add_specialty(l, first, vocab);
            std::size_t in = ifind(part, " in ", sub);
            if (in == std::string_view::npos) {
                part = {};
                break;
            }
            part = trim(part.substr(in + 4));
        }
        if (!part.empty()) add_specialty(l, part, vocab);
    }
    const std::size_t lp = ifind(text, "licensed to practice in ");
    if (lp != std::string_view::npos) {
        const std::size_t b = lp + 24;
        std::size_t e = text.find('.', b);
        if (e == std::string_view::npos) e = text.size();
        add_states(l, text.substr(b, e - b));
    }
}

// The names of a specialty list: split on commas and semicolons, and a part on " and" only where
// the vocabulary knows each side but not the whole ("Anesthesiology and Pain Management", but
// "Hospice and Palliative Medicine" is one name).
std::vector<std::string_view> split_specialties(std::string_view specs,
                                                const SpecialtyVocabulary& vocab) {
    std::vector<std::string_view> out;
    std::size_t b = 0;
    for (std::size_t i = 0; i <= specs.size(); ++i) {
        if (i < specs.size() && specs[i] != ',' && specs[i] != ';') continue;
        std::string_view part = trim(specs.substr(b, i - b));
        b = i + 1;
        if (istarts_with(part, "and ")) part = trim(part.substr(4));
        if (part.empty()) continue;
        const std::vector<std::string_view> pieces = split_list(part);
        const bool split = pieces.size() > 1 && !vocab.known(part) &&
                           std::all_of(pieces.begin(), pieces.end(),
                                       [&](std::string_view p) { return vocab.known(p); });
        if (split) {
            out.insert(out.end(), pieces.begin(), pieces.end());
        } else {
            out.push_back(part);
        }
    }
    return out;
}

// "State(s) of Licensure: ..." / "Certification(s)/Specialty: ..." lines, or the sentence form.
void read_credentials(const Lines& lines, std::size_t begin, std::size_t end,
                      const SpecialtyVocabulary& vocab, Letter& l) {
    std::string states;
    std::string specs;
    std::string* current = nullptr;
    for (std::size_t i = begin; i < end; ++i) {
        const std::string_view t = lines[i];
        if (istarts_with(t, "State(s) of Licensure:") || istarts_with(t, "States of Licensure:") ||
            istarts_with(t, "State of Licensure:")) {
            current = &states;
            append_collapsed(states, t.substr(t.find(':') + 1));
        } else if (istarts_with(t, "Certification(s)/Specialt") ||
                   istarts_with(t, "Certifications/Specialt") ||
                   istarts_with(t, "Certification/Specialt")) {
            current = &specs;
            append_collapsed(specs, t.substr(t.find(':') + 1));
        } else if (current != nullptr && !t.empty() && t.find(':') == std::string_view::npos &&
                   (current->empty() || current->back() == ',' ||
                    (current == &specs && continues_specialty(specs, t, vocab)))) {
            // A list wrapped after its comma, or inside a specialty's name.
            append_collapsed(*current, t);
        } else if (!t.empty()) {
            current = nullptr;
        }
    }
    if (!states.empty() || !specs.empty()) {
        add_states(l, states);
        for (std::string_view s : split_specialties(specs, vocab)) add_specialty(l, s, vocab);
        return;
    }
    std::string text;
    for (std::size_t i = begin; i < end; ++i) append_collapsed(text, lines[i]);
    parse_sentence_credentials(l, text, vocab);
}

}  // namespace

void parse_credentials(const Lines& lines, const Sections& sections,
                       const SpecialtyVocabulary& specialties, Letter& l) {
    const std::size_t b = sections.how != kNone ? sections.how + 1 : 0;
    const std::size_t e = sections.summary != kNone  ? sections.summary
                          : sections.issues != kNone ? sections.issues
                                                     : lines.size();
    if (b < e) read_credentials(lines, b, e, specialties, l);
    if (l.states.empty() && l.specialties.empty()) {
        warn(l.warnings, WarningCode::no_credentials, "no reviewer licensure or specialty found");
    } else if (l.states.empty()) {
        warn(l.warnings, WarningCode::no_states, "no reviewer licensure state found");
    } else if (l.specialties.empty()) {
        warn(l.warnings, WarningCode::no_specialties, "no reviewer specialty found");
    }
}

}  // namespace imrdex::parse
