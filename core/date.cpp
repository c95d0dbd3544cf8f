// ISO dates at reduced precision on std::chrono (imrdex/core/date.hpp).
#include "imrdex/core/date.hpp"

#include <array>

namespace imrdex {

namespace {

constexpr std::array<std::string_view, 12> kMonthNames{
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// The digits of text[pos, pos + n) as a number; false when any is not a digit.
bool digits(std::string_view text, std::size_t pos, std::size_t n, unsigned& out) {
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        out = out * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return true;
}

void append_digits(std::string& out, unsigned v, int width) {
    char buf[4];
    for (int i = width - 1; i >= 0; --i, v /= 10) buf[i] = static_cast<char>('0' + v % 10);
    out.append(buf, static_cast<std::size_t>(width));
}

// Why year `y`, month `m`, day `d` (0: unknown) is no date; empty when it is one.
std::string problem(int y, unsigned m, unsigned d) {
    using namespace std::chrono;
    if (y < 1 || y > 9999) return y == 0 ? "there is no year 0" : "the year is not 1-9999";
    if (m == 0) return d == 0 ? "" : "a day needs its month";
    if (m > 12) return "there is no month " + std::to_string(m);
    if (d == 0) return "";
    const year_month_day_last last{year{y}, month_day_last{month{m}}};
    const unsigned days = static_cast<unsigned>(last.day());
    if (d <= days) return "";
    return std::string(kMonthNames[m - 1]) + " " + std::to_string(y) + " has " +
           std::to_string(days) + " days";
}

}  // namespace

std::optional<IsoDate> IsoDate::from_parts(int y, unsigned m, unsigned d) {
    namespace c = std::chrono;
    if (!problem(y, m, d).empty()) return std::nullopt;
    const Precision p = m == 0 ? Precision::year : d == 0 ? Precision::month : Precision::day;
    return IsoDate(c::year_month_day{c::year{y}, c::month{m == 0 ? 1 : m}, c::day{d == 0 ? 1 : d}},
                   p);
}

std::optional<IsoDate> IsoDate::parse(std::string_view text, std::string* why) {
    auto fail = [&](std::string_view reason) -> std::optional<IsoDate> {
        if (why != nullptr) *why = reason;
        return std::nullopt;
    };
    const std::size_t n = text.size();
    unsigned y = 0, m = 0, d = 0;
    const bool form = (n == 4 || n == 7 || n == 10) && digits(text, 0, 4, y) &&
                      (n < 7 || (text[4] == '-' && digits(text, 5, 2, m))) &&
                      (n < 10 || (text[7] == '-' && digits(text, 8, 2, d)));
    if (!form) return fail("expected YYYY, YYYY-MM or YYYY-MM-DD");
    // Written parts must be real: "2016-00" is not "2016".
    if (n >= 7 && m == 0) return fail("there is no month 0");
    if (n == 10 && d == 0) return fail("there is no day 0");
    const std::string reason = problem(static_cast<int>(y), m, d);
    if (!reason.empty()) return fail(reason);
    return from_parts(static_cast<int>(y), m, d);
}

unsigned IsoDate::month() const noexcept {
    return precision_ == Precision::year ? 0 : static_cast<unsigned>(ymd_.month());
}

unsigned IsoDate::day() const noexcept {
    return precision_ == Precision::day ? static_cast<unsigned>(ymd_.day()) : 0;
}

std::string IsoDate::str() const {
    std::string out;
    out.reserve(10);
    append_digits(out, static_cast<unsigned>(year()), 4);
    if (precision_ == Precision::year) return out;
    out.push_back('-');
    append_digits(out, month(), 2);
    if (precision_ == Precision::month) return out;
    out.push_back('-');
    append_digits(out, day(), 2);
    return out;
}

double IsoDate::number() const noexcept {
    return year() * 10000.0 + month() * 100.0 + day();
}

double IsoDate::last() const noexcept {
    switch (precision_) {
        case Precision::year:
            return year() * 10000.0 + 1299;
        case Precision::month:
            return year() * 10000.0 + month() * 100.0 + 99;
        case Precision::day:
            break;
    }
    return number();
}

double date_number(std::string_view iso) {
    if (iso.empty()) return 0;
    const std::optional<IsoDate> d = IsoDate::parse(iso);
    return d ? d->number() : 0;
}

}  // namespace imrdex
