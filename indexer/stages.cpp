// The per-letter steps of both pipelines' parallel stage: prepare text, parse, judge.
#include "stages.hpp"

#include <exception>
#include <utility>

#include "imrdex/core/utf8.hpp"

namespace imrdex {

bool prepare_text(RawLetter& raw, RunState& state, std::vector<Warning>& warnings) {
    if (raw.extractor == nullptr) {
        if (utf8::latin1_to_utf8(raw.text)) {
            warnings.push_back(
                {WarningCode::latin1, "bytes that are not UTF-8 were read as Latin-1"});
        }
        return true;
    }
    try {
        ExtractedText extracted = raw.extractor->extract(raw.text, raw.source);
        raw.text = std::move(extracted.text);
        raw.extractor = nullptr;
        warnings = std::move(extracted.warnings);
        return true;
    } catch (const std::exception& e) {
        state.reject({raw.source, raw.extractor->failure, e.what()});
        return false;
    }
}

Letter parse_letter(const LetterParser& parser, const RawLetter& raw, std::vector<Warning>& extra) {
    Letter letter = parser.parse(raw.text, raw.fallback_id, raw.source);
    for (Warning& w : extra) letter.warnings.push_back(std::move(w));
    extra.clear();
    return letter;
}

void reject_unusable(RunState& state, const Letter& letter) {
    std::string detail;
    for (const Warning& w : letter.warnings) {
        if (!detail.empty()) detail += "; ";
        detail += to_string(w.code);
        if (!w.detail.empty()) detail += ": " + w.detail;
    }
    if (detail.empty()) detail = "no disputed item found";
    state.reject({letter.source, RejectReason::no_items, detail});
}

std::string truncation(const Letter& letter) {
    std::string out;
    for (const Warning& w : letter.warnings) {
        if (w.code != WarningCode::truncated_item) continue;
        if (!out.empty()) out += "; ";
        out += w.detail;
    }
    return out;
}

}  // namespace imrdex
