// Typed exceptions of the imrdex library. The per-letter hot path never throws (it returns
// warnings); these are for configuration, I/O and query errors that end an operation.
#pragma once

#include <stdexcept>
#include <string>

namespace imrdex {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A file or directory could not be read or written.
class IoError : public Error {
public:
    using Error::Error;
};

// A data or configuration file (drug vocabulary, options) is malformed.
class ConfigError : public Error {
public:
    using Error::Error;
};

// An input could not be decoded (bad PDF, bad JSON line, bad zstd frame).
class InputError : public Error {
public:
    using Error::Error;
};

// A search query is malformed; the message points at the problem.
class QueryError : public Error {
public:
    using Error::Error;
};

// An external program imrdex runs (gnuplot for imr-search --plot) is missing or failed.
class ToolError : public Error {
public:
    using Error::Error;
};

// The database lacks what an operation needs (termlists, for significant terms).
class UnsupportedError : public Error {
public:
    using Error::Error;
};

// A search ran past the time bound it was given (Searcher::set_match_time) and was stopped.
class TimeoutError : public Error {
public:
    using Error::Error;
};

}  // namespace imrdex
