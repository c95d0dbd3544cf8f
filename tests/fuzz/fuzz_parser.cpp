// libFuzzer target: LetterParser::parse must never crash, throw or emit invalid JSON on any bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "imrdex/extract/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const imrdex::LetterParser parser;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const imrdex::Letter letter = parser.parse(text, "fuzz", "fuzz");
    const std::string json = imrdex::to_json(letter);
    if (json.empty() || json.front() != '{' || json.back() != '}') std::abort();
    if (!letter.usable() && letter.warnings.empty()) std::abort();  // rejections carry a reason
    return 0;
}
