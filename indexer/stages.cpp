// The per-letter steps of both pipelines' parallel stage: prepare text, parse, judge.
#include "stages.hpp"

#include <exception>
#include <utility>

#include "imrdex/core/utf8.hpp"

namespace imrdex {

bool prepare_text(RawLetter& raw, RunState& state, std::vector<Warning>& warnings) {
    if (raw.extractor == nullptr) {
        warnings = std::move(raw.warnings);
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

bool judge_letter(RunState& state, const Letter& letter, const std::string& source) {
    std::string detail;
    if (!letter.usable()) {
        for (const Warning& w : letter.warnings) {
            if (!detail.empty()) detail += "; ";
            detail += to_string(w.code);
            if (!w.detail.empty()) detail += ": " + w.detail;
        }
        if (detail.empty()) detail = "no disputed item found";
        state.reject({source, RejectReason::no_items, detail});
        return false;
    }
    // A letter cut off loses the end of an item: not indexed, so a complete copy indexed later
    // is not mixed with a partial one.
    for (const Warning& w : letter.warnings) {
        if (w.code != WarningCode::truncated_item) continue;
        if (!detail.empty()) detail += "; ";
        detail += w.detail;
    }
    if (detail.empty()) return true;
    state.reject({source, RejectReason::truncated, detail});
    return false;
}

}  // namespace imrdex
