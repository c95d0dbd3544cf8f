// Why an input was not indexed: the reasons as a type, with the stable codes users read.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

namespace imrdex {

// Declared in the order of their codes, so a std::map keyed by reason lists them as the
// summary and --stats-json always have (alphabetically); a static_assert keeps it so.
enum class RejectReason {
    bad_id,        // letter id longer than Xapian's terms allow
    bad_json,      // a JSON Lines line that is not a JSON object
    bad_pdf,       // a PDF without usable text (corrupt, encrypted, scanned)
    bad_zstd,      // a damaged or truncated zstd stream
    duplicate_id,  // the same letter id twice in one run (detail names the source kept)
    empty,         // nothing in the file
    in_archive,    // the letter is in an archive database already, which cannot replace it
    no_items,      // a letter without any disputed item
    no_text,       // a JSON record without "text"
    too_large,     // a file or line over the letter limit
    truncated,     // a letter cut off mid-item
    unreadable,    // cannot be opened or read
    unsupported,   // a named file of no input format
};

// The stable code of a reason ("bad_json"): what --rejects, --stats-json and the summary print.
std::string_view to_string(RejectReason reason) noexcept;
std::ostream& operator<<(std::ostream& out, RejectReason reason);  // the code (test messages)

// An input that was not indexed: `detail` says what happened.
struct Rejection {
    std::string source;  // file path, or "path:line" for JSON Lines
    RejectReason reason = RejectReason::unreadable;
    std::string detail;
};

}  // namespace imrdex
