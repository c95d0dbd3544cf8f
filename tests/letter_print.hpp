// How GoogleTest prints the extraction record's enums in failure messages: by their names
// ("imaging", "truncated_item"), not as the bytes of an unknown type.
#pragma once

#include <ostream>

#include "imrdex/core/letter.hpp"

namespace imrdex {

inline void PrintTo(Decision d, std::ostream* os) {
    *os << to_string(d);
}
inline void PrintTo(Category c, std::ostream* os) {
    *os << to_string(c);
}
inline void PrintTo(WarningCode c, std::ostream* os) {
    *os << to_string(c);
}

}  // namespace imrdex
