// The codes of the rejection reasons, checked at compile time to follow the enum's order.
#include "imrdex/index/rejection.hpp"

#include <array>
#include <ostream>

namespace imrdex {
namespace {

constexpr std::array<std::string_view, 13> kCodes{
    "bad_id",   "bad_json", "bad_pdf",   "bad_zstd",  "duplicate_id", "empty",      "in_archive",
    "no_items", "no_text",  "too_large", "truncated", "unreadable",   "unsupported"};

static_assert(kCodes.size() == static_cast<std::size_t>(RejectReason::unsupported) + 1,
              "one code per RejectReason");

constexpr bool sorted() {
    for (std::size_t i = 1; i < kCodes.size(); ++i) {
        if (!(kCodes[i - 1] < kCodes[i])) return false;
    }
    return true;
}
static_assert(sorted(), "reasons must be declared in the order of their codes");

}  // namespace

std::string_view to_string(RejectReason reason) noexcept {
    return kCodes[static_cast<std::size_t>(reason)];
}

std::ostream& operator<<(std::ostream& out, RejectReason reason) {
    return out << to_string(reason);
}

}  // namespace imrdex
