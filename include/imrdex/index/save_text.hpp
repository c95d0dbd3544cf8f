// Saved letter text (`imr-index --save-text FILE.jsonl.zst`): each letter's extracted text once,
// as JSON Lines {"id", "text", "source"[, "warnings"]} in zstd frames, so a later run reads the
// text instead of the PDFs and makes the same letters.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "imrdex/core/letter.hpp"
#include "imrdex/index/inputs.hpp"

namespace imrdex {

// Writes the saved-text file. The pipeline's parallel stage fills and seals one batch's frame
// (add, seal: any thread, no shared state); its serial in-order stage appends the frames
// (write), so records come in input order. Each frame is handed to the kernel whole before
// write returns: a run killed later leaves every earlier frame readable (a reader stops at a
// frame cut off mid-way with a bad_zstd rejection, after the lines before it).
class TextSaver {
public:
    // Creates (or truncates) `path`; throws IoError naming it when it cannot.
    explicit TextSaver(std::string path);
    ~TextSaver();
    TextSaver(const TextSaver&) = delete;
    TextSaver& operator=(const TextSaver&) = delete;

    // Appends one record line to `lines`, a batch's JSON Lines not yet sealed. `source` is the
    // original input (PDF path, "path:line"); a later run reports it as the letter's source.
    // `warnings` are those of making the text (pdf_empty_page, latin1, ...), which the saved
    // text no longer shows: written as "warnings" [{"code", "detail"}] when there are any, and
    // given back to the letter by the reader (RawLetter::warnings).
    static void add(std::string& lines, std::string_view id, std::string_view text,
                    std::string_view source, const std::vector<Warning>& warnings);

    // Compresses `lines` into one zstd frame, in place (empty stays empty). Any thread.
    static void seal(std::string& lines);

    // Appends a sealed frame holding `letters` records to the file, all of it before returning
    // (one write(2) loop, no user-space buffer). Serial: one thread at a time.
    void write(std::string_view frame, std::uint64_t letters);

    // Closes the file (fsync first with `sync`); throws IoError when the data did not get there.
    void close(bool sync);

    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] std::uint64_t letters() const noexcept { return letters_; }

private:
    std::string path_;
    int fd_ = -1;
    std::uint64_t letters_ = 0;
};

// Throws ConfigError when `path` is one of `files` (the run would overwrite an input it reads).
void check_save_text_target(const std::string& path, const std::vector<InputFile>& files);

}  // namespace imrdex
