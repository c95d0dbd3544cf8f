// The saved-text writer of imr-index --save-text: JSON Lines records, one zstd frame per
// pipeline batch, appended in input order with plain write(2) calls.
#include "imrdex/index/save_text.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>

#include "imrdex/core/errors.hpp"
#include "imrdex/core/json.hpp"

namespace imrdex {
namespace {

// imr-corpus's level: fast enough that sealing a batch costs a small part of extracting it.
constexpr int kZstdLevel = 3;

std::string errno_text(int err) {
    return std::strerror(err);
}

}  // namespace

TextSaver::TextSaver(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw IoError("cannot create " + path_ + ": " + errno_text(errno));
}

TextSaver::~TextSaver() {
    if (fd_ >= 0) ::close(fd_);
}

void TextSaver::add(std::string& lines, std::string_view id, std::string_view text,
                    std::string_view source, const std::vector<Warning>& warnings) {
    JsonWriter w(lines);
    w.begin_object().field("id", id).field("text", text).field("source", source);
    if (!warnings.empty()) {
        w.key("warnings").begin_array();
        for (const Warning& warning : warnings) {
            w.begin_object().field("code", to_string(warning.code));
            w.field("detail", warning.detail).end_object();
        }
        w.end_array();
    }
    w.end_object();
    lines.push_back('\n');
}

void TextSaver::seal(std::string& lines) {
    if (lines.empty()) return;
    // One context per thread, reused: creating one per batch costs more than small batches'
    // compression.
    thread_local const std::unique_ptr<ZSTD_CCtx, std::size_t (*)(ZSTD_CCtx*)> cctx(
        ZSTD_createCCtx(), ZSTD_freeCCtx);
    std::string frame(ZSTD_compressBound(lines.size()), '\0');
    const std::size_t n = ZSTD_compressCCtx(cctx.get(), frame.data(), frame.size(), lines.data(),
                                            lines.size(), kZstdLevel);
    if (ZSTD_isError(n)) throw IoError(std::string("zstd: ") + ZSTD_getErrorName(n));
    frame.resize(n);
    lines.swap(frame);
}

void TextSaver::write(std::string_view frame, std::uint64_t letters) {
    while (!frame.empty()) {
        const ssize_t n = ::write(fd_, frame.data(), frame.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw IoError("cannot write " + path_ + ": " + errno_text(errno));
        }
        frame.remove_prefix(static_cast<std::size_t>(n));
    }
    letters_ += letters;
}

void TextSaver::close(bool sync) {
    if (fd_ < 0) return;
    const int fd = fd_;
    fd_ = -1;
    const bool synced = !sync || ::fsync(fd) == 0;
    const int err = errno;
    if (::close(fd) != 0 || !synced) {
        throw IoError("cannot write " + path_ + ": " + errno_text(synced ? errno : err));
    }
}

void check_save_text_target(const std::string& path, const std::vector<InputFile>& files) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return;
    for (const InputFile& f : files) {
        if (std::filesystem::equivalent(path, f.path, ec)) {
            throw ConfigError("--save-text " + path + " is one of the inputs (" + f.path.string() +
                              "): saving to it would overwrite what is read");
        }
    }
}

}  // namespace imrdex
