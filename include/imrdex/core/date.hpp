// The one ISO 8601 date of imrdex: a calendar date at year, month or day precision, as letters,
// extraction records, the index's date slots and query ranges all use it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace imrdex {

// A date that exists: "2016", "2016-02" or "2016-02-29", never "2016-02-30", month 13, day 0 or
// year 0. Reduced precision is kept (letters often give only a month or a year), so a date
// knows which of its parts are known.
class IsoDate {
public:
    enum class Precision { year, month, day };

    // The date of year `y` (1-9999), month `m` and day `d`, where month 0 means "year only"
    // and day 0 "month only"; nullopt when there is no such date.
    [[nodiscard]] static std::optional<IsoDate> from_parts(int y, unsigned m = 0, unsigned d = 0);

    // Reads "YYYY", "YYYY-MM" or "YYYY-MM-DD" (the whole text); nullopt when it is not of that
    // form or names no date. `why`, when given, gets a short reason: "expected YYYY, YYYY-MM
    // or YYYY-MM-DD", "there is no month 13", "February 2015 has 28 days".
    [[nodiscard]] static std::optional<IsoDate> parse(std::string_view text,
                                                      std::string* why = nullptr);

    [[nodiscard]] Precision precision() const noexcept { return precision_; }
    // The calendar date; a reduced-precision date holds the first day of its year or month.
    [[nodiscard]] std::chrono::year_month_day ymd() const noexcept { return ymd_; }
    [[nodiscard]] int year() const noexcept { return static_cast<int>(ymd_.year()); }
    // 0 when not known.
    [[nodiscard]] unsigned month() const noexcept;
    [[nodiscard]] unsigned day() const noexcept;

    // The ISO text at the date's precision: "2016", "2016-02", "2016-02-29".
    [[nodiscard]] std::string str() const;

    // The schema's number of the date, stored with sortable_serialise in the date slots:
    // yyyymmdd with 00 for an unknown month or day ("2016-12" -> 20161200).
    [[nodiscard]] double number() const noexcept;

    // The range a query date covers, as numbers of the date slots: a year or a month covers
    // every date stored in it, whatever its precision ("2016" -> 20160000..20161299,
    // "2016-02" -> 20160200..20160299, a day -> itself).
    [[nodiscard]] double first() const noexcept { return number(); }
    [[nodiscard]] double last() const noexcept;

    friend bool operator==(const IsoDate&, const IsoDate&) = default;

private:
    IsoDate(std::chrono::year_month_day ymd, Precision p) : ymd_(ymd), precision_(p) {}
    std::chrono::year_month_day ymd_;
    Precision precision_;
};

// IsoDate::parse(iso)->number(), or 0 when `iso` is empty or no date: what a date slot stores
// (nothing for 0).
[[nodiscard]] double date_number(std::string_view iso);

}  // namespace imrdex
