// Input discovery (recursive directory walk) and the batch reader over the input formats' files
// (whole files, JSON Lines, zstd streams); bad input becomes a Rejection, never an exception.
#include "imrdex/index/inputs.hpp"

#include <simdjson.h>
#include <sys/stat.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace fs = std::filesystem;

namespace imrdex {
namespace {

std::string errno_text(int err) {
    return std::strerror(err);
}

struct Walker {
    std::vector<InputFile>& files;
    std::vector<Rejection>& rejections;
    std::set<std::pair<dev_t, ino_t>> visited;

    void reject(const fs::path& p, RejectReason reason, std::string detail) {
        rejections.push_back({p.string(), reason, std::move(detail)});
    }

    void add_file(const fs::path& p, bool named) {
        const InputFormat* format = input_format_of(p);
        if (format == nullptr) {
            if (named) {
                reject(p, RejectReason::unsupported,
                       "not a " + suffix_list(", ", " or ") + " file");
            }
            return;
        }
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) {
            reject(p, RejectReason::unreadable, errno_text(errno));
            return;
        }
        files.push_back({p, format, static_cast<std::uint64_t>(st.st_size)});
    }

    void walk(const fs::path& dir) {
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0) {
            reject(dir, RejectReason::unreadable, errno_text(errno));
            return;
        }
        // A directory reached twice (symlink loop or two links to it) is read once.
        if (!visited.insert({st.st_dev, st.st_ino}).second) return;
        std::error_code ec;
        fs::directory_iterator it(dir, ec);
        if (ec) {
            reject(dir, RejectReason::unreadable, ec.message());
            return;
        }
        std::vector<fs::path> entries;
        for (const fs::directory_iterator end; it != end; it.increment(ec)) {
            if (ec) break;
            entries.push_back(it->path());
        }
        if (ec) reject(dir, RejectReason::unreadable, ec.message());
        std::sort(entries.begin(), entries.end());
        for (const fs::path& p : entries) {
            std::error_code sec;
            const fs::file_status status = fs::status(p, sec);  // follows symlinks
            if (sec) {
                reject(p, RejectReason::unreadable, sec.message());
            } else if (fs::is_directory(status)) {
                walk(p);
            } else if (fs::is_regular_file(status)) {
                add_file(p, false);
            }
        }
    }
};

// ---- Byte sources for JSON Lines --------------------------------------------------------------

class ByteSource {
public:
    virtual ~ByteSource() = default;
    // Reads up to n bytes; 0 at the end. On failure returns 0 and sets `error`.
    virtual std::size_t read(char* dst, std::size_t n, std::string& error) = 0;
    std::uint64_t consumed = 0;  // file bytes read so far
};

class FileSource : public ByteSource {
public:
    explicit FileSource(std::FILE* f) : f_(f) {}
    ~FileSource() override { std::fclose(f_); }
    FileSource(const FileSource&) = delete;
    FileSource& operator=(const FileSource&) = delete;

    std::size_t read(char* dst, std::size_t n, std::string& error) override {
        const std::size_t got = std::fread(dst, 1, n, f_);
        consumed += got;
        if (got == 0 && std::ferror(f_)) error = errno_text(errno);
        return got;
    }

private:
    std::FILE* f_;
};

// Streaming zstd decompression: memory stays at one input and one output window whatever the
// size of the frame.
class ZstdSource : public ByteSource {
public:
    explicit ZstdSource(std::FILE* f)
        : f_(f), dctx_(ZSTD_createDCtx()), in_(ZSTD_DStreamInSize()) {}
    ~ZstdSource() override {
        ZSTD_freeDCtx(dctx_);
        std::fclose(f_);
    }
    ZstdSource(const ZstdSource&) = delete;
    ZstdSource& operator=(const ZstdSource&) = delete;

    std::size_t read(char* dst, std::size_t n, std::string& error) override {
        ZSTD_outBuffer out{dst, n, 0};
        while (out.pos == 0) {
            if (input_.pos == input_.size) {
                if (eof_) {
                    if (last_ != 0) error = "truncated zstd frame";
                    return 0;
                }
                const std::size_t got = std::fread(in_.data(), 1, in_.size(), f_);
                consumed += got;
                if (got == 0) {
                    if (std::ferror(f_)) {
                        error = errno_text(errno);
                        return 0;
                    }
                    eof_ = true;
                    continue;
                }
                input_ = ZSTD_inBuffer{in_.data(), got, 0};
            }
            last_ = ZSTD_decompressStream(dctx_, &out, &input_);
            if (ZSTD_isError(last_)) {
                error = std::string("bad zstd frame: ") + ZSTD_getErrorName(last_);
                return 0;
            }
        }
        return out.pos;
    }

private:
    std::FILE* f_;
    ZSTD_DCtx* dctx_;
    std::vector<char> in_;
    ZSTD_inBuffer input_{nullptr, 0, 0};
    std::size_t last_ = 0;  // 0 when the last frame ended cleanly
    bool eof_ = false;
};

}  // namespace

std::vector<InputFile> expand_inputs(const std::vector<std::string>& inputs,
                                     std::vector<Rejection>& rejections) {
    std::vector<InputFile> files;
    Walker walker{files, rejections, {}};
    for (const std::string& input : inputs) {
        const fs::path p(input);
        std::error_code ec;
        const fs::file_status status = fs::status(p, ec);
        if (ec || !fs::exists(status)) {
            walker.reject(p, RejectReason::unreadable,
                          ec ? ec.message() : "no such file or directory");
        } else if (fs::is_directory(status)) {
            walker.walk(p);
        } else {
            walker.add_file(p, true);
        }
    }
    return files;
}

// ---- The reader -------------------------------------------------------------------------------

struct InputReader::Impl {
    std::vector<InputFile> files;
    ReaderLimits limits;
    std::size_t next_file = 0;

    // The JSON Lines file being read, if any.
    std::unique_ptr<ByteSource> source;
    std::string path;  // of the open JSONL file
    std::string stem;
    std::vector<char> buf;  // [begin, end) holds unread bytes; padded for simdjson
    std::size_t begin = 0;
    std::size_t end = 0;
    std::uint64_t line = 0;
    std::uint64_t reported = 0;  // source->consumed already counted in a batch
    bool eof = false;
    bool skipping = false;  // discarding the rest of an over-long line
    simdjson::dom::parser parser;

    void reject(InputBatch& batch, std::string src, RejectReason reason, std::string detail) {
        batch.rejections.push_back({std::move(src), reason, std::move(detail)});
    }

    void read_whole(const InputFile& f, InputBatch& batch) {
        const std::string p = f.path.string();
        batch.input_bytes += f.size;
        std::FILE* fp = std::fopen(p.c_str(), "rb");
        if (fp == nullptr) return reject(batch, p, RejectReason::unreadable, errno_text(errno));
        std::string data;
        if (f.size > limits.max_letter_bytes) {
            std::fclose(fp);
            return reject(batch, p, RejectReason::too_large,
                          std::to_string(f.size) + " bytes, more than the letter limit");
        }
        // Read to the end whatever stat said: /proc files report size 0 and files may grow;
        // one byte past the limit tells that the file is too large.
        const std::size_t cap = limits.max_letter_bytes + 1;
        std::size_t got = 0;
        data.resize(std::min<std::size_t>(cap, static_cast<std::size_t>(f.size) + 1));
        for (;;) {
            got += std::fread(data.data() + got, 1, data.size() - got, fp);
            if (got < data.size() || data.size() == cap) break;
            data.resize(std::min(cap, data.size() * 2));
        }
        const bool failed = std::ferror(fp) != 0;
        const int err = errno;
        std::fclose(fp);
        if (failed) return reject(batch, p, RejectReason::unreadable, errno_text(err));
        if (got > limits.max_letter_bytes) {
            return reject(batch, p, RejectReason::too_large,
                          "more than the letter limit of " +
                              std::to_string(limits.max_letter_bytes) + " bytes");
        }
        data.resize(got);
        // Bytes for an extractor are not text yet: only a file without any is empty.
        const TextExtractor* extractor = f.format->extractor;
        if (extractor != nullptr && data.empty()) {
            return reject(batch, p, RejectReason::empty, "empty file");
        }
        if (extractor == nullptr && data.find_first_not_of(" \t\r\n\f\v") == std::string::npos) {
            return reject(batch, p, RejectReason::empty, "no text");
        }
        batch.text_bytes += data.size();
        batch.letters.push_back({std::move(data), extractor, file_stem(f.path, *f.format), p, {}});
    }

    bool open_jsonl(const InputFile& f, InputBatch& batch) {
        path = f.path.string();
        std::FILE* fp = std::fopen(path.c_str(), "rb");
        if (fp == nullptr) {
            batch.input_bytes += f.size;
            reject(batch, path, RejectReason::unreadable, errno_text(errno));
            return false;
        }
        const bool zstd = f.format->reader == Reader::json_lines_zstd;
        if (zstd)
            source = std::make_unique<ZstdSource>(fp);
        else
            source = std::make_unique<FileSource>(fp);
        stem = file_stem(f.path, *f.format);
        begin = end = 0;
        line = 0;
        reported = 0;
        eof = false;
        skipping = false;
        any_record_ = false;
        had_error_ = false;
        if (buf.size() < limits.chunk_bytes + simdjson::SIMDJSON_PADDING) {
            buf.resize(limits.chunk_bytes + simdjson::SIMDJSON_PADDING);
        }
        return true;
    }
    bool any_record_ = false;
    bool had_error_ = false;

    void close_jsonl(InputBatch& batch) {
        if (!any_record_ && !had_error_) {
            reject(batch, path, RejectReason::empty, "no JSON records");
        }
        batch.input_bytes += source->consumed - reported;
        source.reset();
    }

    // Makes room after `end` for another chunk: slides unread bytes to the front, grows the
    // buffer only for a line longer than one chunk.
    void make_room() {
        if (begin > 0) {
            std::memmove(buf.data(), buf.data() + begin, end - begin);
            end -= begin;
            begin = 0;
        }
        const std::size_t want = end + limits.chunk_bytes + simdjson::SIMDJSON_PADDING;
        if (buf.size() < want) buf.resize(want);
    }

    // Gets the next complete line into [lb, le); false at the end of the file (or on a read
    // error, which is rejected).
    bool next_line(InputBatch& batch, std::size_t& lb, std::size_t& le) {
        for (;;) {
            const char* start = buf.data() + begin;
            const void* nl = std::memchr(start, '\n', end - begin);
            if (nl != nullptr) {
                lb = begin;
                le = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
                begin = le + 1;
                ++line;
                if (skipping) {
                    skipping = false;
                    continue;
                }
                return true;
            }
            if (eof) {
                if (end > begin && !skipping) {
                    lb = begin;
                    le = end;
                    begin = end;
                    ++line;
                    return true;
                }
                return false;
            }
            if (end - begin >= limits.max_letter_bytes && !skipping) {
                ++line;
                reject(batch, path + ":" + std::to_string(line), RejectReason::too_large,
                       "line longer than " + std::to_string(limits.max_letter_bytes) + " bytes");
                skipping = true;
                --line;  // counted again when its newline arrives
            }
            if (skipping) begin = end;
            make_room();
            std::string error;
            const std::size_t got = source->read(buf.data() + end, limits.chunk_bytes, error);
            if (!error.empty()) {
                const bool zstd = error.find("zstd") != std::string::npos;
                reject(batch, path, zstd ? RejectReason::bad_zstd : RejectReason::unreadable,
                       error + " after line " + std::to_string(line));
                eof = true;
                had_error_ = true;
                begin = end;  // a partial line before a decoding error is not a letter
                return false;
            }
            if (got == 0) eof = true;
            end += got;
        }
    }

    // The "warnings" of a record, [{"code", "detail"}]: those of known codes (a saved letter's
    // warnings of making its text); anything else in it is ignored.
    static std::vector<Warning> saved_warnings(simdjson::dom::object obj) {
        std::vector<Warning> out;
        simdjson::dom::array list;
        if (obj["warnings"].get_array().get(list)) return out;
        for (simdjson::dom::element e : list) {
            std::string_view code;
            std::string_view detail;
            if (e["code"].get_string().get(code)) continue;
            const std::optional<WarningCode> known = parse_warning_code(code);
            if (!known) continue;
            if (e["detail"].get_string().get(detail)) detail = {};
            out.push_back({*known, std::string(detail)});
        }
        return out;
    }

    void parse_line(InputBatch& batch, std::size_t lb, std::size_t le) {
        if (le > lb && buf[le - 1] == '\r') --le;
        const std::string_view raw(buf.data() + lb, le - lb);
        if (raw.find_first_not_of(" \t") == std::string_view::npos) return;  // blank line
        any_record_ = true;
        const std::string src = path + ":" + std::to_string(line);
        // The line sits inside `buf`, which has SIMDJSON_PADDING readable bytes past `end`.
        simdjson::dom::element doc;
        if (auto err = parser.parse(raw.data(), raw.size(), false).get(doc)) {
            return reject(batch, src, RejectReason::bad_json, simdjson::error_message(err));
        }
        simdjson::dom::object obj;
        if (doc.get_object().get(obj)) {
            return reject(batch, src, RejectReason::bad_json, "not a JSON object");
        }
        std::string_view text;
        auto terr = obj["text"].get_string().get(text);
        if (terr == simdjson::NO_SUCH_FIELD) {
            return reject(batch, src, RejectReason::no_text, "no \"text\"");
        }
        if (terr) return reject(batch, src, RejectReason::no_text, "\"text\" is not a string");
        if (text.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos) {
            return reject(batch, src, RejectReason::no_text, "\"text\" is empty");
        }
        std::string id;
        simdjson::dom::element idv;
        if (!obj["id"].get(idv)) {
            std::string_view sv;
            std::int64_t i64 = 0;
            std::uint64_t u64 = 0;
            if (!idv.get_string().get(sv))
                id = sv;
            else if (!idv.get_int64().get(i64))
                id = std::to_string(i64);
            else if (!idv.get_uint64().get(u64))
                id = std::to_string(u64);
        }
        if (id.empty()) id = stem + "-" + std::to_string(line);
        // A record that names its source (as imr-index --save-text writes the original PDF's
        // path) is reported under it; the line's own place stays for what is wrong with the
        // line itself (above).
        std::string_view named;
        std::string letter_source = src;
        if (!obj["source"].get_string().get(named) && !named.empty()) letter_source = named;
        batch.text_bytes += text.size();
        batch.letters.push_back({std::string(text), nullptr, std::move(id),
                                 std::move(letter_source), saved_warnings(obj)});
    }
};

InputReader::InputReader(std::vector<InputFile> files, ReaderLimits limits)
    : impl_(std::make_unique<Impl>()) {
    impl_->files = std::move(files);
    impl_->limits = limits;
}

InputReader::~InputReader() = default;

bool InputReader::next(InputBatch& batch, std::size_t max_letters, std::size_t max_bytes,
                       const std::atomic<bool>* stop) {
    batch.letters.clear();
    batch.rejections.clear();
    batch.text_bytes = 0;
    batch.input_bytes = 0;
    Impl& d = *impl_;
    // Rejections count toward the batch too, so a file of bad lines cannot grow it unbounded.
    while (batch.letters.size() + batch.rejections.size() < max_letters &&
           batch.text_bytes < max_bytes) {
        if (stop != nullptr && stop->load(std::memory_order_relaxed)) break;
        if (d.source) {
            std::size_t lb = 0;
            std::size_t le = 0;
            if (d.next_line(batch, lb, le)) {
                d.parse_line(batch, lb, le);
                continue;
            }
            d.close_jsonl(batch);
            continue;
        }
        if (d.next_file >= d.files.size()) break;
        const InputFile& f = d.files[d.next_file++];
        if (f.format->reader == Reader::whole_file)
            d.read_whole(f, batch);
        else
            d.open_jsonl(f, batch);
    }
    if (d.source) {
        batch.input_bytes += d.source->consumed - d.reported;
        d.reported = d.source->consumed;
    }
    return !batch.letters.empty() || !batch.rejections.empty();
}

void read_all(const std::vector<std::string>& inputs, std::vector<RawLetter>& letters,
              std::vector<Rejection>& rejections) {
    InputReader reader(expand_inputs(inputs, rejections));
    InputBatch batch;
    while (reader.next(batch, 64, std::size_t{1} << 20)) {
        for (RawLetter& l : batch.letters) letters.push_back(std::move(l));
        for (Rejection& r : batch.rejections) rejections.push_back(std::move(r));
    }
}

}  // namespace imrdex
